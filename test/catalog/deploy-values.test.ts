import { describe, expect, it } from 'vitest';
import { resolveDeployValues } from '../../src/server/modules/catalog/deploy-values.js';
import { AppError } from '../../src/server/errors.js';
import { fixtureEntry, GLOBALS } from './catalog-fixtures.js';

const sonarr = fixtureEntry('mediamanager-sonarr');
const webui = fixtureEntry('ai-tools-open-webui');
const watchtower = fixtureEntry('system-watchtower');
const plex = fixtureEntry('mediaserver-plex');

const asUser = { isAdmin: false, mode: 'standard' as const, globals: GLOBALS };
const asAdmin = { ...asUser, isAdmin: true };

function errorOf(run: () => unknown): { code: string; message: string; details: string; fields: unknown } {
  try {
    run();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { code: error.code, message: error.message, details: error.details, fields: error.extra.fields };
  }
  throw new Error('expected an AppError');
}

describe('resolveDeployValues', () => {
  it('fills globals from config, declared defaults and the mode’s network', () => {
    expect(resolveDeployValues(sonarr, {}, asUser)).toEqual({
      ID: '1000',
      TZ: 'UTC',
      UMASK: '002',
      APPFOLDER: '/opt/appdata',
      MEDIAFOLDER: '/mnt/media',
      DOMAIN: 'home.example.com',
      RESTARTAPP: 'unless-stopped',
      DOCKERNETWORK: 'default',
      SONARR_PORT: '8989',
    });
    expect(resolveDeployValues(sonarr, {}, { ...asUser, mode: 'traefik' }).DOCKERNETWORK).toBe('proxy');
  });

  it('accepts the seed’s global overrides and normalizes typed values', () => {
    const values = resolveDeployValues(
      sonarr,
      { TZ: 'America/New_York', ID: '1001', DOMAIN: 'plex.example.com', APPFOLDER: '/opt/appdata/', SONARR_PORT: 18989 },
      asUser,
    );
    expect(values).toMatchObject({
      TZ: 'America/New_York',
      ID: '1001',
      DOMAIN: 'plex.example.com',
      APPFOLDER: '/opt/appdata',
      SONARR_PORT: '18989',
    });
  });

  it('generates a different 32-character secret for each empty secret and keeps given ones', () => {
    const values = resolveDeployValues(webui, { OPEN_WEBUI_ADMIN_EMAIL: 'me@example.com', OPEN_WEBUI_DB_PASSWORD: "p'a$s${HOME}" }, asUser);
    expect(values.OPEN_WEBUI_SECRET).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(values.OPEN_WEBUI_DB_PASSWORD).toBe("p'a$s${HOME}");
    const again = resolveDeployValues(webui, { OPEN_WEBUI_ADMIN_EMAIL: 'me@example.com' }, asUser);
    expect(again.OPEN_WEBUI_SECRET).not.toBe(values.OPEN_WEBUI_SECRET);
    expect(again.OPEN_WEBUI_DB_PASSWORD).not.toBe(again.OPEN_WEBUI_SECRET);
  });

  it('expands a path default that starts from a global folder', () => {
    const values = resolveDeployValues(webui, { OPEN_WEBUI_ADMIN_EMAIL: 'me@example.com', MEDIAFOLDER: '/mnt/media/ai' }, asUser);
    expect(values.OPEN_WEBUI_MODELS).toBe('/mnt/media/ai/models');
  });

  it('rejects unknown keys, bad values and missing required ones with one field per problem', () => {
    expect(
      errorOf(() =>
        resolveDeployValues(
          webui,
          { NOPE: 'x', OPEN_WEBUI_PORT: 70000, OPEN_WEBUI_LOG_LEVEL: 'loud', DOCKERNETWORK: 'host', TZ: 'a\nb', RESTARTAPP: 'sometimes' },
          asUser,
        ),
      ),
    ).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'Invalid deploy configuration',
      details:
        'config.NOPE: is not a variable of ai-tools-open-webui; config.OPEN_WEBUI_PORT: must be a port number between 1 and 65535; config.OPEN_WEBUI_LOG_LEVEL: must be one of debug, info, warning; config.DOCKERNETWORK: is set by the deploy mode; config.TZ: must not contain line breaks or control characters; config.RESTARTAPP: must be one of no, always, unless-stopped, on-failure; config.OPEN_WEBUI_ADMIN_EMAIL: is required',
      fields: [
        { path: 'config.NOPE', message: 'is not a variable of ai-tools-open-webui' },
        { path: 'config.OPEN_WEBUI_PORT', message: 'must be a port number between 1 and 65535' },
        { path: 'config.OPEN_WEBUI_LOG_LEVEL', message: 'must be one of debug, info, warning' },
        { path: 'config.DOCKERNETWORK', message: 'is set by the deploy mode' },
        { path: 'config.TZ', message: 'must not contain line breaks or control characters' },
        { path: 'config.RESTARTAPP', message: 'must be one of no, always, unless-stopped, on-failure' },
        { path: 'config.OPEN_WEBUI_ADMIN_EMAIL', message: 'is required' },
      ],
    });
  });

  it('rejects a NUL byte, an object value and a relative or escaping path', () => {
    const error = errorOf(() =>
      resolveDeployValues(
        webui,
        {
          OPEN_WEBUI_ADMIN_EMAIL: 'a\u0000@b.c',
          OPEN_WEBUI_SECRET: { nested: true },
          OPEN_WEBUI_MODELS: 'models',
          APPFOLDER: '/opt/appdata/../../etc',
        },
        asUser,
      ),
    );
    expect(error.fields).toEqual([
      { path: 'config.OPEN_WEBUI_ADMIN_EMAIL', message: 'must not contain line breaks or control characters' },
      { path: 'config.OPEN_WEBUI_SECRET', message: 'must be a string, number or boolean' },
      { path: 'config.OPEN_WEBUI_MODELS', message: 'must be an absolute path' },
      { path: 'config.APPFOLDER', message: 'must not contain ".." segments' },
    ]);
  });

  it('rejects a mode the app does not support', () => {
    expect(errorOf(() => resolveDeployValues(watchtower, {}, { ...asAdmin, mode: 'traefik' })).fields).toEqual([
      { path: 'mode.type', message: 'Watchtower supports standard' },
    ]);
  });

  it('refuses paths outside APPFOLDER and MEDIAFOLDER to non-admins and allows them to admins', () => {
    const config = { OPEN_WEBUI_ADMIN_EMAIL: 'me@example.com', OPEN_WEBUI_MODELS: '/srv/models', APPFOLDER: '/etc' };
    expect(errorOf(() => resolveDeployValues(webui, config, asUser))).toEqual({
      code: 'FORBIDDEN',
      message: 'Only an admin can deploy this configuration',
      details: 'config.APPFOLDER is outside /opt/appdata and /mnt/media; config.OPEN_WEBUI_MODELS is outside /opt/appdata and /mnt/media',
      fields: undefined,
    });
    expect(resolveDeployValues(webui, config, asAdmin)).toMatchObject({ OPEN_WEBUI_MODELS: '/srv/models', APPFOLDER: '/etc' });
    expect(
      resolveDeployValues(webui, { ...config, OPEN_WEBUI_MODELS: '/mnt/media/models-2', APPFOLDER: '/opt/appdata/x' }, asUser)
        .OPEN_WEBUI_MODELS,
    ).toBe('/mnt/media/models-2');
  });

  it('treats a changed image variable as an image override that needs an admin', () => {
    const config = { OPEN_WEBUI_ADMIN_EMAIL: 'me@example.com', OPEN_WEBUI_IMAGE: 'evil/image:1' };
    expect(errorOf(() => resolveDeployValues(webui, config, asUser))).toEqual({
      code: 'FORBIDDEN',
      message: 'Only an admin can deploy this configuration',
      details: 'config.OPEN_WEBUI_IMAGE overrides the image',
      fields: undefined,
    });
    expect(resolveDeployValues(webui, config, asAdmin).OPEN_WEBUI_IMAGE).toBe('evil/image:1');
    expect(errorOf(() => resolveDeployValues(plex, { PLEXIMAGE: 'evil/plex:1' }, asUser)).details).toBe(
      'config.PLEXIMAGE overrides the image',
    );
  });

  it('lets only admins deploy an app that needs elevated rights', () => {
    expect(errorOf(() => resolveDeployValues(watchtower, {}, asUser))).toEqual({
      code: 'FORBIDDEN',
      message: 'Only an admin can deploy this configuration',
      details: 'Watchtower needs elevated rights (mounts docker.sock to pull new images and recreate containers)',
      fields: undefined,
    });
    expect(resolveDeployValues(watchtower, { WATCHTOWER_CLEANUP: 'no' }, asAdmin).WATCHTOWER_CLEANUP).toBe('false');
  });

  it('gives foreign templates the original product’s defaults', () => {
    const values = resolveDeployValues(plex, {}, asUser);
    expect(values).toMatchObject({
      PLEXIMAGE: 'lscr.io/linuxserver/plex:latest',
      PLEXTHEME: 'dark',
      SECURITYOPS: 'no-new-privileges',
      SECURITYOPSSET: 'true',
      PLEXCLAIM: '',
    });
  });
});
