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
      containerName: null,
      values: {
        ID: '1000',
        TZ: 'UTC',
        UMASK: '002',
        APPFOLDER: '/opt/appdata',
        MEDIAFOLDER: '/mnt/media',
        DOMAIN: 'home.example.com',
        RESTARTAPP: 'unless-stopped',
        DOCKERNETWORK: 'default',
        SONARR_PORT: '8989',
      },
    });
    expect(resolveDeployValues(sonarr, {}, { ...asUser, mode: 'traefik' }).values.DOCKERNETWORK).toBe('proxy');
  });

  it('accepts the seed’s global overrides and normalizes typed values', () => {
    const { values } = resolveDeployValues(
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
    const { values } = resolveDeployValues(
      webui,
      { OPEN_WEBUI_ADMIN_EMAIL: 'me@example.com', OPEN_WEBUI_DB_PASSWORD: "p'a$s${HOME}" },
      asUser,
    );
    expect(values.OPEN_WEBUI_SECRET).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(values.OPEN_WEBUI_DB_PASSWORD).toBe("p'a$s${HOME}");
    const { values: again } = resolveDeployValues(webui, { OPEN_WEBUI_ADMIN_EMAIL: 'me@example.com' }, asUser);
    expect(again.OPEN_WEBUI_SECRET).not.toBe(values.OPEN_WEBUI_SECRET);
    expect(again.OPEN_WEBUI_DB_PASSWORD).not.toBe(again.OPEN_WEBUI_SECRET);
  });

  it('expands a path default that starts from a global folder', () => {
    const { values } = resolveDeployValues(webui, { OPEN_WEBUI_ADMIN_EMAIL: 'me@example.com', MEDIAFOLDER: '/mnt/media/ai' }, asUser);
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
        'config.NOPE: is not a variable of ai-tools-open-webui; config.OPEN_WEBUI_PORT: must be a port number between 1 and 65535; config.OPEN_WEBUI_LOG_LEVEL: must be one of debug, info, warning; config.DOCKERNETWORK: is set by the deploy mode; config.TZ: must not contain line breaks or control characters; config.RESTARTAPP: must be one of no, always, unless-stopped, on-failure; config.OPEN_WEBUI_ADMIN_EMAIL: is required. Accepted keys (any letter case): containerName, port_8080, ID, TZ, UMASK, APPFOLDER, MEDIAFOLDER, DOMAIN, RESTARTAPP, OPEN_WEBUI_PORT, OPEN_WEBUI_IMAGE, OPEN_WEBUI_SECRET, OPEN_WEBUI_DB_PASSWORD, OPEN_WEBUI_MODELS, OPEN_WEBUI_LOG_LEVEL, OPEN_WEBUI_ADMIN_EMAIL',
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
    expect(resolveDeployValues(webui, config, asAdmin).values).toMatchObject({ OPEN_WEBUI_MODELS: '/srv/models', APPFOLDER: '/etc' });
    expect(
      resolveDeployValues(webui, { ...config, OPEN_WEBUI_MODELS: '/mnt/media/models-2', APPFOLDER: '/opt/appdata/x' }, asUser).values
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
    expect(resolveDeployValues(webui, config, asAdmin).values.OPEN_WEBUI_IMAGE).toBe('evil/image:1');
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
    expect(resolveDeployValues(watchtower, { WATCHTOWER_CLEANUP: 'no' }, asAdmin).values.WATCHTOWER_CLEANUP).toBe('false');
  });

  it('gives foreign templates the original product’s defaults', () => {
    const { values } = resolveDeployValues(plex, {}, asUser);
    expect(values).toMatchObject({
      PLEXIMAGE: 'lscr.io/linuxserver/plex:latest',
      PLEXTHEME: 'dark',
      SECURITYOPS: 'no-new-privileges',
      SECURITYOPSSET: 'true',
      PLEXCLAIM: '',
    });
  });
});

describe('resolveDeployValues with the original product’s deploy form', () => {
  const qbittorrent = fixtureEntry('downloadclients-qbittorrent');

  it('matches keys to variables whatever their letter case, and domain to DOMAIN', () => {
    const { values } = resolveDeployValues(
      sonarr,
      { tz: 'Europe/Berlin', Id: '1001', appfolder: '/opt/appdata/tv', domain: 'tv.example.com', sonarr_port: '18989' },
      asUser,
    );
    expect(values).toMatchObject({
      TZ: 'Europe/Berlin',
      ID: '1001',
      APPFOLDER: '/opt/appdata/tv',
      DOMAIN: 'tv.example.com',
      SONARR_PORT: '18989',
    });
  });

  it('sets the variable that publishes a container port from port_<containerPort>', () => {
    expect(resolveDeployValues(sonarr, { port_8989: '18990' }, asUser).values.SONARR_PORT).toBe('18990');
    expect(resolveDeployValues(sonarr, { 'PORT_8989/tcp': 18991 }, asUser).values.SONARR_PORT).toBe('18991');
    const peers = resolveDeployValues(qbittorrent, { port_8080: '18080', port_6881: '16881', 'port_6881/udp': '16881' }, asUser);
    expect(peers.values).toMatchObject({ QBITTORRENT_PORT: '18080', QBITTORRENT_PEER_PORT: '16881' });
  });

  it('validates a port_ value like the variable it sets, naming the key that was sent', () => {
    expect(errorOf(() => resolveDeployValues(sonarr, { port_8989: 'eighty' }, asUser)).fields).toEqual([
      { path: 'config.port_8989', message: 'must be a port number between 1 and 65535' },
    ]);
    expect(errorOf(() => resolveDeployValues(sonarr, { tz: 'a\nb' }, asUser)).fields).toEqual([
      { path: 'config.tz', message: 'must not contain line breaks or control characters' },
    ]);
  });

  it('answers 400 when two keys set one variable', () => {
    expect(errorOf(() => resolveDeployValues(sonarr, { TZ: 'UTC', tz: 'Europe/Berlin' }, asUser))).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'Invalid deploy configuration',
      details: 'config.tz: sets TZ, as config.TZ does; give only one of them',
      fields: [{ path: 'config.tz', message: 'sets TZ, as config.TZ does; give only one of them' }],
    });
    expect(errorOf(() => resolveDeployValues(sonarr, { SONARR_PORT: 18989, port_8989: 18990 }, asUser)).fields).toEqual([
      { path: 'config.port_8989', message: 'sets SONARR_PORT, as config.SONARR_PORT does; give only one of them' },
    ]);
    expect(errorOf(() => resolveDeployValues(qbittorrent, { port_6881: 16881, 'port_6881/udp': 16882 }, asUser)).fields).toEqual([
      { path: 'config.port_6881/udp', message: 'sets QBITTORRENT_PEER_PORT, as config.port_6881 does, to another value' },
    ]);
    expect(errorOf(() => resolveDeployValues(sonarr, { containerName: 'tv', containername: 'tv' }, asUser)).fields).toEqual([
      { path: 'config.containername', message: 'is given as config.containerName too; give only one of them' },
    ]);
  });

  it('lists the keys it accepts once when a key is unknown, and says why a port key is refused', () => {
    const error = errorOf(() => resolveDeployValues(plex, { port_32400: 32401, port_1900: 1901, gpuType: 'nvidia' }, asAdmin));
    expect(error.fields).toEqual([
      { path: 'config.port_32400', message: 'the host port of container port 32400 is fixed by the template of mediaserver-plex' },
      { path: 'config.port_1900', message: 'mediaserver-plex publishes no container port 1900' },
      { path: 'config.gpuType', message: 'is not a variable of mediaserver-plex' },
    ]);
    expect(error.details).toBe(
      'config.port_32400: the host port of container port 32400 is fixed by the template of mediaserver-plex; config.port_1900: mediaserver-plex publishes no container port 1900; config.gpuType: is not a variable of mediaserver-plex. ' +
        'Accepted keys (any letter case): containerName, ID, TZ, UMASK, APPFOLDER, MEDIAFOLDER, DOMAIN, RESTARTAPP, PLEXCLAIM, PLEXTHEME, PLEXIMAGE, SECURITYOPS, SECURITYOPSSET',
    );
  });

  it('takes containerName as the main service’s container name, checked as a Docker name', () => {
    expect(resolveDeployValues(sonarr, { containerName: 'tv.sonarr_1' }, asUser).containerName).toBe('tv.sonarr_1');
    expect(resolveDeployValues(sonarr, { containerName: '' }, asUser).containerName).toBeNull();
    const rule = 'must be a container name: 2 to 128 letters, digits, _ . or -, starting with a letter or digit';
    for (const bad of ['-dash', 'a', 'has space', 'x'.repeat(129), 'évé', 42, 'a/b']) {
      expect(errorOf(() => resolveDeployValues(sonarr, { containerName: bad }, asUser)).fields).toEqual([
        { path: 'config.containerName', message: rule },
      ]);
    }
  });

  it('keeps a redeploy’s generated secret when the form leaves it empty under any letter case', () => {
    const kept = { OPEN_WEBUI_SECRET: 'kept-secret', OPEN_WEBUI_DB_PASSWORD: 'kept-password' };
    const { values } = resolveDeployValues(
      webui,
      { open_webui_admin_email: 'me@example.com', open_webui_secret: '', OPEN_WEBUI_DB_PASSWORD: 'new-password' },
      { ...asUser, keptSecrets: kept },
    );
    expect(values).toMatchObject({ OPEN_WEBUI_SECRET: 'kept-secret', OPEN_WEBUI_DB_PASSWORD: 'new-password' });
  });
});
