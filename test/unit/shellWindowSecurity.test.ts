/**
 * The window's hardening, the CSP and the app:// protocol, through small fakes: what the renderer
 * may do (nothing but its own page and the microphone) and what app:// serves (the bundle only).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_SCHEME_PRIVILEGES, createAppRequestHandler, resolveAssetPath } from '../../electron/shell/appProtocol.js';
import { CONTENT_SECURITY_POLICY } from '../../electron/shell/contentSecurityPolicy.js';
import {
  allowPermissionCheck,
  allowPermissionRequest,
  hardenWebContents,
  installPermissionHandlers,
  secureWebPreferences,
  type HardenableContents,
  type PermissionRequestInfo,
  type PermissionSession,
} from '../../electron/shell/windowSecurity.js';

describe('web preferences', () => {
  it('isolate, sandbox and strip Node from the renderer', () => {
    expect(secureWebPreferences('/app/preload.cjs')).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
    });
  });
});

type Prevent = { preventDefault(): void };

class FakeContents implements HardenableContents {
  readonly handlers = new Map<string, (event: Prevent, url: string) => void>();
  openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  on(event: string, listener: (event: Prevent, url: string) => void): this {
    this.handlers.set(event, listener);
    return this;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  fire(event: string, url = 'https://elsewhere.example/'): boolean {
    let prevented = false;
    this.handlers.get(event)?.({ preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

describe('navigation and new windows', () => {
  it('are all blocked', () => {
    const contents = new FakeContents();
    hardenWebContents(contents);
    expect(contents.fire('will-navigate')).toBe(true);
    expect(contents.fire('will-navigate', 'app://baton/other.html')).toBe(true);
    expect(contents.fire('will-redirect')).toBe(true);
    expect(contents.fire('will-attach-webview')).toBe(true);
    expect(contents.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });
});

describe('permissions', () => {
  const ours: PermissionRequestInfo = { isMainFrame: true, requestingUrl: 'app://baton/index.html', mediaTypes: ['audio'] };
  it.each([
    ['the microphone for our page', 'media', ours, true],
    ['the camera', 'media', { ...ours, mediaTypes: ['video'] }, false],
    ['microphone and camera together', 'media', { ...ours, mediaTypes: ['audio', 'video'] }, false],
    ['media with no type', 'media', { ...ours, mediaTypes: [] }, false],
    ['the microphone for a sub-frame', 'media', { ...ours, isMainFrame: false }, false],
    ['the microphone for another origin', 'media', { ...ours, requestingUrl: 'https://evil.example/' }, false],
    ['the microphone for file://', 'media', { ...ours, requestingUrl: 'file:///index.html' }, false],
    ['screen capture', 'display-capture', ours, false],
    ['notifications from the page', 'notifications', ours, false],
    ['geolocation', 'geolocation', ours, false],
    ['opening external links', 'openExternal', ours, false],
    ['clipboard reads', 'clipboard-read', ours, false],
  ] as const)('request: %s → %s', (_label, permission, details, granted) => {
    expect(allowPermissionRequest(permission, details)).toBe(granted);
  });

  it('checks: audio for our origin only', () => {
    expect(allowPermissionCheck('media', 'app://baton', { isMainFrame: true, mediaType: 'audio' })).toBe(true);
    expect(allowPermissionCheck('media', 'app://baton', { isMainFrame: true, mediaType: 'video' })).toBe(false);
    expect(allowPermissionCheck('media', 'https://evil.example', { isMainFrame: true, mediaType: 'audio' })).toBe(false);
    expect(allowPermissionCheck('notifications', 'app://baton', { isMainFrame: true })).toBe(false);
  });

  it('installs both handlers on the session, answering through the callback', () => {
    let request: Parameters<PermissionSession['setPermissionRequestHandler']>[0] | undefined;
    let check: Parameters<PermissionSession['setPermissionCheckHandler']>[0] | undefined;
    installPermissionHandlers({ setPermissionRequestHandler: (h) => (request = h), setPermissionCheckHandler: (h) => (check = h) });
    const answers: boolean[] = [];
    request?.(null, 'media', (granted) => answers.push(granted), ours);
    request?.(null, 'geolocation', (granted) => answers.push(granted), ours);
    expect(answers).toEqual([true, false]);
    expect(check?.(null, 'media', 'app://baton', { isMainFrame: true, mediaType: 'audio' })).toBe(true);
  });
});

describe('content security policy', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );
  it('allows no inline code or eval anywhere', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|\*|data:\s*;?\s*$|http:/);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  });
  it('lets audio play from blob: (remote streams, ring tones)', () => {
    expect(directives.get('media-src')).toEqual(["'self'", 'blob:', 'mediastream:']);
  });
});

describe('app:// protocol', () => {
  const root = mkdtempSync(join(tmpdir(), 'baton-bundle-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Baton</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  const outside = mkdtempSync(join(tmpdir(), 'baton-secret-'));
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  symlinkSync(join(outside, 'secret.txt'), join(root, 'assets', 'link.txt'));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });
  const handler = createAppRequestHandler({ root });

  it('is registered as a standard, secure scheme (an origin of its own; getUserMedia allowed)', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true } });
    expect(APP_SCHEME_PRIVILEGES.privileges).not.toHaveProperty('bypassCSP');
  });

  it('serves the page at / and its assets, each with the CSP header and a MIME type', async () => {
    const index = await handler(new Request('app://baton/'));
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<title>Baton</title>');
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    const script = await handler(new Request('app://baton/assets/app.js'));
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it.each([
    'app://baton/../secret.txt',
    'app://baton/%2e%2e/%2e%2e/etc/passwd',
    'app://baton/assets/..%2f..%2fsecret.txt',
    'app://baton/assets%5c..%5c..%5csecret.txt',
    'app://baton/index.html%00.js',
    'app://other/index.html',
    'app://baton/missing.js',
    'app://baton/assets/link.txt',
  ])('refuses %s', async (url) => {
    const response = await handler(new Request(url));
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('secret');
  });

  it('refuses anything but GET/HEAD', async () => {
    expect((await handler(new Request('app://baton/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });

  it('resolves only inside the root', () => {
    expect(resolveAssetPath('/srv/r', 'app://baton/a/b.js')).toBe('/srv/r/a/b.js');
    expect(resolveAssetPath('/srv/r', 'app://baton/../../etc/passwd')).toBe('/srv/r/etc/passwd'); // URL parsing already clamps ..
    expect(resolveAssetPath('/srv/r', 'https://baton/index.html')).toBeUndefined();
  });
});
