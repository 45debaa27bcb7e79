/**
 * Names the running app shares with its installers. APP_ID must equal `appId` in
 * electron-builder.yml (Windows matches notifications to the Start-menu shortcut by it);
 * test/unit/electronBuilderConfig.test.ts holds the two equal, because the yml is not packaged.
 */
export const APP_ID = 'com.baton.softphone';
export const PRODUCT_NAME = 'Baton';

/** The renderer is served from app://baton/ — a secure, standard scheme of our own, never file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'baton';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/** Links Baton dials when clicked (click-to-dial from a CRM or a web page). */
export const DIAL_SCHEMES = ['tel', 'sip', 'sips'] as const;

/** The media host's page (renderer/mediaHost, its own bundle entry): hidden, it owns every call's media. */
export const MEDIA_HOST_PATH = '/mediaHost/index.html';
export const APP_MEDIA_HOST_URL = `${APP_ORIGIN}${MEDIA_HOST_PATH}`;
