/**
 * electron-builder.yml against electron-builder's own schema (a misspelt key is an error, not a
 * silently ignored setting), the settings the issue requires, the files it points at, and the IT
 * guide kept in step with it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { APP_ID } from '../../electron/shell/appIdentity.js';
import { MAC_MANAGED_PREFERENCES, WINDOWS_POLICY_KEY } from '../../electron/shell/machinePolicy.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
// The YAML reader electron-builder itself uses (app-builder-lib → js-yaml).
const yaml = require(require.resolve('js-yaml', { paths: [require.resolve('app-builder-lib/package.json')] })) as {
  load(text: string): unknown;
};

type Config = Record<string, unknown> & {
  appId: string;
  electronFuses: Record<string, boolean>;
  nsis: Record<string, unknown>;
  msi: Record<string, unknown>;
  mac: Record<string, unknown> & {
    extendInfo: Record<string, string>;
    entitlements: string;
    entitlementsInherit: string;
    target: Array<{ target: string }>;
  };
  win: Record<string, unknown> & { target: Array<{ target: string }> };
  linux: Record<string, unknown> & { target: string[] };
};

const text = readFileSync(join(root, 'electron-builder.yml'), 'utf8');
const config = yaml.load(text) as Config;
const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

describe('electron-builder.yml', () => {
  it('is valid against app-builder-lib/scheme.json', () => {
    expect(validate(config), JSON.stringify(validate.errors, null, 1)).toBe(true);
  });

  it('would be refused with a misspelt key (the schema check has teeth)', () => {
    expect(validate({ ...config, mac: { ...config.mac, hardendRuntime: true } })).toBe(false);
  });

  it('has the appId the running app uses for Windows notifications', () => {
    expect(config.appId).toBe(APP_ID);
  });

  it('sets every security fuse', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('builds NSIS (per-machine choice) and MSI (per-machine, fixed upgrade code) for Windows', () => {
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis', 'msi']);
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, allowElevation: true });
    expect(config.msi).toMatchObject({ perMachine: true });
    expect(config.msi.upgradeCode).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  });

  it('builds a hardened, notarized dmg and zip for macOS with the microphone entitlement and usage text', () => {
    expect(config.mac.target.map((t) => t.target)).toEqual(['dmg', 'zip']);
    expect(config.mac).toMatchObject({ hardenedRuntime: true, notarize: true });
    expect(config.mac.extendInfo.NSMicrophoneUsageDescription).toMatch(/microphone/);
    for (const file of [config.mac.entitlements, config.mac.entitlementsInherit]) {
      const plist = readFileSync(join(root, file), 'utf8');
      expect(plist).toMatch(/<key>com\.apple\.security\.device\.audio-input<\/key>\s*<true\/>/);
    }
  });

  it('builds AppImage and deb for Linux', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
  });

  it('rebuilds better-sqlite3 for Electron and unpacks it from the asar', () => {
    expect(config).toMatchObject({ npmRebuild: true, buildDependenciesFromSource: true });
    expect(config.asarUnpack).toContain('node_modules/better-sqlite3/**');
  });

  it('registers tel:, sip: and sips: for click-to-dial', () => {
    expect((config.protocols as Array<{ schemes: string[] }>).flatMap((p) => p.schemes)).toEqual(['tel', 'sip', 'sips']);
  });

  it('holds no signing secret: identities and passwords come from the environment', () => {
    const keys = JSON.stringify(config);
    for (const forbidden of [
      'cscLink',
      'cscKeyPassword',
      'certificatePassword',
      'certificateFile',
      'appleId',
      'appleIdPassword',
      'identity',
      'password',
    ]) {
      expect(keys).not.toContain(`"${forbidden}"`);
    }
    expect(text).not.toMatch(/-----BEGIN|\.p12|\.pfx/i);
  });

  it('points at icons that exist, with a PNG of at least 512×512', () => {
    for (const file of [
      'resources/icon.ico',
      'resources/icon.icns',
      'resources/icon.png',
      'resources/icons/512x512.png',
      'resources/icons/tray.png',
    ]) {
      expect(existsSync(join(root, file)), file).toBe(true);
    }
    const png = readFileSync(join(root, 'resources/icon.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512);
    expect(png.readUInt32BE(20)).toBeGreaterThanOrEqual(512);
    for (const resource of config.extraResources as Array<{ from: string }>)
      expect(existsSync(join(root, resource.from)), resource.from).toBe(true);
  });
});

describe('docs/IT-GUIDE.md matches the configuration', () => {
  const guide = readFileSync(join(root, 'docs', 'IT-GUIDE.md'), 'utf8');
  it.each([
    ['the appId', config.appId],
    ['the MSI upgrade code', String(config.msi.upgradeCode)],
    ['the registry policy key', WINDOWS_POLICY_KEY],
    ['the managed preferences file', MAC_MANAGED_PREFERENCES],
    ['the NSIS silent switch', '/S'],
    ['the NSIS per-machine switch', '/allusers'],
    ['msiexec', 'msiexec /i'],
    ['notarization credentials', 'APPLE_API_KEY_ID'],
    ['the signing certificate variables', 'CSC_LINK'],
    ['the provisioning file on Windows', '%ProgramData%\\Baton\\provisioning.json'],
    ['the provisioning file on macOS', '/Library/Application Support/Baton/provisioning.json'],
    ['the provisioning file on Linux', '/etc/baton/provisioning.json'],
    ['the policy keys', 'AutoUpdate'],
    ['the update URL key', 'UpdateUrl'],
  ])('names %s', (_label, needle) => {
    expect(guide).toContain(needle);
  });
});
