import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { resolveDeployValues } from '../../src/server/modules/catalog/deploy-values.js';
import { renderCompose, renderEnvFile, renderSettingsFromConfig } from '../../src/server/modules/catalog/render-compose.js';
import { testConfig } from '../../src/server/config.js';
import { AppError } from '../../src/server/errors.js';
import { fixtureEntry, GLOBALS, renderSettings } from './catalog-fixtures.js';

const sonarr = fixtureEntry('mediamanager-sonarr');
const qbittorrent = fixtureEntry('downloadclients-qbittorrent');
const webui = fixtureEntry('ai-tools-open-webui');
const plex = fixtureEntry('mediaserver-plex');
const watchtower = fixtureEntry('system-watchtower');

function render(
  entry: typeof sonarr,
  mode: 'standard' | 'traefik' | 'authelia',
  config: Record<string, unknown> = {},
  settings = renderSettings(),
) {
  const { values, containerName } = resolveDeployValues(entry, config, { isAdmin: true, mode, globals: GLOBALS });
  return renderCompose({ entry, mode, values, settings: { ...settings, containerName } });
}

const TRAEFIK_ROUTER = {
  'traefik.enable': 'true',
  'traefik.docker.network': 'proxy',
  'traefik.http.services.hlr-test-app.loadbalancer.server.port': '8989',
  'traefik.http.routers.hlr-test-app.rule': 'Host(`sonarr.${DOMAIN}`)',
  'traefik.http.routers.hlr-test-app.entrypoints': 'https',
  'traefik.http.routers.hlr-test-app.tls': 'true',
  'traefik.http.routers.hlr-test-app.tls.certresolver': 'dns-cloudflare',
  'traefik.http.routers.hlr-test-app.service': 'hlr-test-app',
};

describe('renderCompose', () => {
  it('standard mode publishes the declared ports, keeps ${VAR} references and names the project', () => {
    const stack = render(sonarr, 'standard', { SONARR_PORT: 18989 });
    expect(stack.compose).toEqual({
      name: 'hlr-test-app',
      services: {
        sonarr: {
          image: 'lscr.io/linuxserver/sonarr:4.0.15',
          environment: { PUID: '${ID}', PGID: '${ID}', TZ: '${TZ}', UMASK: '${UMASK}' },
          volumes: ['${APPFOLDER}/sonarr:/config', '${MEDIAFOLDER}:/data'],
          ports: ['${SONARR_PORT}:8989'],
          restart: '${RESTARTAPP}',
          labels: { 'homelabarr.app-id': 'test-app' },
        },
      },
    });
    expect(parse(stack.composeYaml)).toEqual(stack.compose);
    expect(stack.services).toEqual(['sonarr']);
    expect(stack.images).toEqual(['lscr.io/linuxserver/sonarr:4.0.15']);
    expect(stack.ports).toEqual([{ service: 'sonarr', containerPort: 8989, hostPort: 18989, protocol: 'tcp' }]);
    expect(stack.urls).toEqual(['http://home.example.com:18989']);
    expect(stack.externalNetworks).toEqual([]);
    expect(stack.envFile).toBe(
      [
        '# Values for hlr-test-app; each value is literal (no interpolation).',
        "ID='1000'",
        "TZ='UTC'",
        "UMASK='002'",
        "APPFOLDER='/opt/appdata'",
        "MEDIAFOLDER='/mnt/media'",
        "DOMAIN='home.example.com'",
        "RESTARTAPP='unless-stopped'",
        "DOCKERNETWORK='default'",
        "SONARR_PORT='18989'",
        '',
      ].join('\n'),
    );
  });

  it('traefik mode joins the external proxy network, routes the web port and unpublishes only it', () => {
    const stack = render(qbittorrent, 'traefik', {}, renderSettings({ proxyNetwork: 'my-proxy', certResolver: '' }));
    const service = stack.compose.services.qbittorrent as Record<string, unknown>;
    expect(service.networks).toEqual(['default', 'proxy']);
    expect(service.ports).toEqual(['${QBITTORRENT_PEER_PORT}:6881', '${QBITTORRENT_PEER_PORT}:6881/udp']);
    expect(service.labels).toEqual({
      'homelabarr.app-id': 'test-app',
      'traefik.enable': 'true',
      'traefik.docker.network': 'my-proxy',
      'traefik.http.services.hlr-test-app.loadbalancer.server.port': '8080',
      'traefik.http.routers.hlr-test-app.rule': 'Host(`qbittorrent.${DOMAIN}`)',
      'traefik.http.routers.hlr-test-app.entrypoints': 'https',
      'traefik.http.routers.hlr-test-app.tls': 'true',
      'traefik.http.routers.hlr-test-app.service': 'hlr-test-app',
    });
    expect(stack.compose.networks).toEqual({ proxy: { external: true, name: 'my-proxy' } });
    expect(stack.urls).toEqual(['https://qbittorrent.home.example.com']);
    expect(stack.externalNetworks).toEqual(['my-proxy']);
    expect(stack.envFile).toContain("DOCKERNETWORK='proxy'");
  });

  it('traefik mode keeps the web port published when the user asks', () => {
    const stack = render(sonarr, 'traefik', {}, renderSettings({ publishPortsInProxyModes: true }));
    expect((stack.compose.services.sonarr as Record<string, unknown>).ports).toEqual(['${SONARR_PORT}:8989']);
    expect(stack.urls).toEqual(['https://sonarr.home.example.com', 'http://home.example.com:8989']);
  });

  it('authelia mode adds the forward-auth middleware and a bypass router for apiPaths', () => {
    const stack = render(sonarr, 'authelia', {}, renderSettings({ autheliaMiddleware: 'authelia@docker', entrypoint: 'websecure' }));
    const labels = (stack.compose.services.sonarr as { labels: Record<string, string> }).labels;
    expect(labels).toEqual({
      'homelabarr.app-id': 'test-app',
      ...TRAEFIK_ROUTER,
      'traefik.http.routers.hlr-test-app.entrypoints': 'websecure',
      'traefik.http.routers.hlr-test-app.middlewares': 'authelia@docker',
      'traefik.http.routers.hlr-test-app-api.rule':
        'Host(`sonarr.${DOMAIN}`) && (PathPrefix(`/api`) || PathPrefix(`/feed`) || PathPrefix(`/ping`))',
      'traefik.http.routers.hlr-test-app-api.entrypoints': 'websecure',
      'traefik.http.routers.hlr-test-app-api.tls': 'true',
      'traefik.http.routers.hlr-test-app-api.tls.certresolver': 'dns-cloudflare',
      'traefik.http.routers.hlr-test-app-api.service': 'hlr-test-app',
    });
  });

  it('only the web service of a multi-service app joins the proxy; the database stays private', () => {
    const stack = render(webui, 'authelia', { OPEN_WEBUI_ADMIN_EMAIL: 'me@example.com' });
    const services = stack.compose.services as Record<string, Record<string, unknown>>;
    expect(services['open-webui']?.networks).toEqual(['default', 'proxy']);
    expect(services.db?.networks).toBeUndefined();
    expect(services.db?.labels).toEqual({ 'homelabarr.app-id': 'test-app' });
    expect(stack.compose.volumes).toEqual({ 'db-data': null });
    expect(stack.images).toEqual(['ghcr.io/open-webui/open-webui:v0.6.5', 'postgres:16.4-alpine']);
    expect(stack.services).toEqual(['open-webui', 'db']);
  });

  it('strips a foreign template’s Traefik labels and proxy network in standard mode', () => {
    const stack = render(plex, 'standard');
    const service = stack.compose.services.plex as Record<string, unknown>;
    expect(service.labels).toEqual({ 'homelabarr.app-id': 'test-app' });
    expect(service.networks).toEqual(['default']);
    expect(stack.compose.networks).toBeUndefined();
    expect(service.image).toBe('${PLEXIMAGE}');
    expect(stack.images).toEqual(['lscr.io/linuxserver/plex:latest']);
    expect(stack.ports).toEqual([{ service: 'plex', containerPort: 32400, hostPort: 32400, protocol: 'tcp' }]);
  });

  it('replaces a foreign template’s own routers with generated ones in authelia mode', () => {
    const stack = render(plex, 'authelia');
    const service = stack.compose.services.plex as { labels: Record<string, string>; networks: string[] };
    expect(Object.keys(service.labels).filter((key) => key.includes('plex-rtr'))).toEqual([]);
    expect(service.labels['traefik.http.routers.hlr-test-app.middlewares']).toBe('chain-authelia@file');
    expect(service.labels['traefik.http.services.hlr-test-app.loadbalancer.server.port']).toBe('32400');
    expect(service.networks).toEqual(['proxy']);
    expect(stack.compose.networks).toEqual({ proxy: { external: true, name: 'proxy' } });
  });

  it('routes a service that shares another’s network namespace through that service', () => {
    const entry = fixtureEntry('downloadclients-qbittorrent-vpn');
    const stack = render(entry, 'authelia');
    const services = stack.compose.services as Record<
      string,
      { labels: Record<string, string>; networks?: string[]; network_mode?: string }
    >;
    expect(services.qbittorrent?.network_mode).toBe('service:gluetun');
    expect(services.qbittorrent?.networks).toBeUndefined();
    expect(services.qbittorrent?.labels).toEqual({ 'homelabarr.app-id': 'test-app' });
    expect(services.gluetun?.networks).toEqual(['proxy']);
    expect(services.gluetun?.labels['traefik.http.services.hlr-test-app.loadbalancer.server.port']).toBe('8080');
    expect(services.gluetun?.labels['traefik.http.routers.hlr-test-app.rule']).toBe('Host(`qbittorrent-vpn.${DOMAIN}`)');
    expect(stack.images).toEqual(['qmcgaw/gluetun:v3.39.1', 'lscr.io/linuxserver/qbittorrent:latest']);
  });

  it('escapes $ in extra labels so compose keeps them literal', () => {
    const stack = render(sonarr, 'standard', {}, renderSettings({ labels: { 'homelabarr.note': 'costs $5 ${HOME}' } }));
    expect((stack.compose.services.sonarr as { labels: Record<string, string> }).labels).toEqual({
      'homelabarr.note': 'costs $$5 $${HOME}',
    });
  });

  it('names the main service’s container after containerName, and only that service', () => {
    const chat = render(webui, 'traefik', { OPEN_WEBUI_ADMIN_EMAIL: 'me@example.com', containerName: 'chat' });
    const services = chat.compose.services as Record<string, Record<string, unknown>>;
    expect(services['open-webui']?.container_name).toBe('chat');
    expect(services.db?.container_name).toBeUndefined();
    expect(parse(chat.composeYaml).services['open-webui'].container_name).toBe('chat');
    expect(chat.envFile).not.toContain('chat');
    // A foreign template that names its container itself gets the user's name instead.
    const named = render(plex, 'standard', { containerName: 'my-plex' });
    expect((named.compose.services.plex as Record<string, unknown>).container_name).toBe('my-plex');
    expect((render(sonarr, 'standard').compose.services.sonarr as Record<string, unknown>).container_name).toBeUndefined();
  });

  it('refuses a mode the template does not declare', () => {
    let caught: unknown;
    try {
      renderCompose({ entry: watchtower, mode: 'traefik', values: {}, settings: renderSettings() });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect({ code: (caught as AppError).code, details: (caught as AppError).details }).toEqual({
      code: 'VALIDATION_FAILED',
      details: 'Watchtower supports standard, not traefik',
    });
  });
});

describe('renderSettingsFromConfig', () => {
  it('takes proxy, Traefik and Authelia names from the config', () => {
    const config = testConfig({
      proxyNetwork: 'edge',
      traefikEntrypoint: 'websecure',
      traefikCertResolver: 'le',
      autheliaMiddleware: 'authelia@docker',
      domain: 'lab.example',
    });
    expect(
      renderSettingsFromConfig(config, { projectName: 'hlr-mediamanager-sonarr', labels: { 'homelabarr.app-id': 'mediamanager-sonarr' } }),
    ).toEqual({
      projectName: 'hlr-mediamanager-sonarr',
      proxyNetwork: 'edge',
      entrypoint: 'websecure',
      certResolver: 'le',
      autheliaMiddleware: 'authelia@docker',
      domain: 'lab.example',
      publishPortsInProxyModes: false,
      labels: { 'homelabarr.app-id': 'mediamanager-sonarr' },
    });
  });
});

describe('renderEnvFile', () => {
  it('single-quotes plain values and double-quotes values with a quote, escaping \\ " and $', () => {
    expect(renderEnvFile({ A: 'x ${HOME} $(id) #no comment', B: 'it\'s "$HOME" \\n', C: '' })).toBe(
      ["A='x ${HOME} $(id) #no comment'", 'B="it\'s \\"\\$HOME\\" \\\\n"', "C=''", ''].join('\n'),
    );
  });

  it('refuses a value with a line break', () => {
    expect(() => renderEnvFile({ A: 'one\nB=two' })).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        message: 'Invalid variable value',
        details: 'A contains a line break or control character',
      }),
    );
  });
});
