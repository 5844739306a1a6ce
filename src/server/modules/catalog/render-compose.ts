// Pure: a template, a deploy mode and validated values → the compose file and .env a deploy runs.
// Template variables stay ${VAR} references in compose.yaml and their values go to .env, written
// so compose reads each value literally; so a user can edit .env and re-run compose by hand, and
// no value can add YAML structure or be interpolated again (docs/decisions.md).
import { stringify as stringifyYaml } from 'yaml';
import type { DeployModeType } from '../../../contracts/deployments.js';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import {
  GLOBAL_VARIABLE_NAMES,
  mainServiceName,
  PROXY_NETWORK_KEY,
  type CatalogEntry,
  type ComposeDocument,
  type ComposeService,
} from './catalog-template.js';
import { escapeForCompose, interpolate, mapStrings } from './compose-variables.js';
import { asList, labelMap, resolvePorts } from './template-inspection.js';

export type RenderSettings = {
  /** Compose project name, also the top-level `name:` (e.g. hlr-mediaserver-plex). */
  projectName: string;
  /** The external Docker network Traefik watches (PROXY_NETWORK). */
  proxyNetwork: string;
  entrypoint: string;
  /** Empty for none. */
  certResolver: string;
  autheliaMiddleware: string;
  /** Fallback domain when values carry no DOMAIN. */
  domain: string;
  /** In proxy modes Traefik serves the web port; publish it on the host as well? */
  publishPortsInProxyModes: boolean;
  /** Added to every service, e.g. homelabarr.app-id. */
  labels: Record<string, string>;
  /** The main service's container_name (a checked Docker name); absent or null for compose's own name. */
  containerName?: string | null;
};

/** Settings from the server's config (PROXY_NETWORK, TRAEFIK_*, AUTHELIA_MIDDLEWARE, DOMAIN) plus the stack's own. */
export function renderSettingsFromConfig(
  config: Pick<Config, 'proxyNetwork' | 'traefikEntrypoint' | 'traefikCertResolver' | 'autheliaMiddleware' | 'domain'>,
  stack: { projectName: string; labels?: Record<string, string>; publishPortsInProxyModes?: boolean },
): RenderSettings {
  return {
    projectName: stack.projectName,
    proxyNetwork: config.proxyNetwork,
    entrypoint: config.traefikEntrypoint,
    certResolver: config.traefikCertResolver,
    autheliaMiddleware: config.autheliaMiddleware,
    domain: config.domain,
    publishPortsInProxyModes: stack.publishPortsInProxyModes ?? false,
    labels: stack.labels ?? {},
  };
}

export type RenderedPort = { service: string; containerPort: number; hostPort: number | null; protocol: 'tcp' | 'udp' | 'sctp' };

export type RenderedStack = {
  composeYaml: string;
  envFile: string;
  /** The document composeYaml serializes (variable references unresolved). */
  compose: ComposeDocument & { name: string };
  services: string[];
  /** Each service's image with values substituted, in service order (deduplicated). */
  images: string[];
  ports: RenderedPort[];
  urls: string[];
  /** Docker network names the stack expects to exist already (the proxy network, or one a template declares external). */
  externalNetworks: string[];
};

export type RenderInput = { entry: CatalogEntry; mode: DeployModeType; values: Record<string, string>; settings: RenderSettings };

const DOCKERNETWORK_REFERENCE = /\$\$|\$\{DOCKERNETWORK\}|\$DOCKERNETWORK(?![A-Za-z0-9_])/g;

function substituteDockerNetwork(text: string, network: string): string {
  return text.includes('DOCKERNETWORK') ? text.replace(DOCKERNETWORK_REFERENCE, (match) => (match === '$$' ? match : network)) : text;
}

/** Service network keys, whichever syntax the service uses. */
function networkKeys(service: ComposeService): string[] {
  if (Array.isArray(service.networks)) return service.networks.map(String);
  if (service.networks && typeof service.networks === 'object') return Object.keys(service.networks);
  return [];
}

function addNetworks(service: ComposeService, keys: string[]): void {
  const existing = networkKeys(service);
  const wanted = existing.length === 0 ? ['default', ...keys] : keys;
  if (Array.isArray(service.networks) || service.networks === undefined || service.networks === null) {
    service.networks = [...new Set([...existing, ...wanted])];
  } else {
    const networks = service.networks as Record<string, unknown>;
    for (const key of wanted) if (!(key in networks)) networks[key] = null;
  }
}

function routerName(projectName: string): string {
  return projectName.replace(/[^A-Za-z0-9-]/g, '-');
}

/** Traefik router and service labels for the web service, generated from x-homelabarr.web. */
function traefikLabels(input: RenderInput, port: number): Record<string, string> {
  const { entry, mode, settings } = input;
  const router = routerName(settings.projectName);
  const host = `Host(\`${entry.template.name}.\${DOMAIN}\`)`;
  const labels: Record<string, string> = {
    'traefik.enable': 'true',
    'traefik.docker.network': settings.proxyNetwork,
    [`traefik.http.services.${router}.loadbalancer.server.port`]: String(port),
  };
  const addRouter = (name: string, rule: string, middleware: string | null): void => {
    labels[`traefik.http.routers.${name}.rule`] = rule;
    labels[`traefik.http.routers.${name}.entrypoints`] = settings.entrypoint;
    labels[`traefik.http.routers.${name}.tls`] = 'true';
    if (settings.certResolver) labels[`traefik.http.routers.${name}.tls.certresolver`] = settings.certResolver;
    labels[`traefik.http.routers.${name}.service`] = router;
    if (middleware) labels[`traefik.http.routers.${name}.middlewares`] = middleware;
  };
  addRouter(router, host, mode === 'authelia' ? settings.autheliaMiddleware : null);
  if (mode === 'authelia' && entry.template.apiPaths.length > 0) {
    // Apps' mobile clients and other *arrs call these paths with API keys and cannot log in to Authelia.
    const paths = entry.template.apiPaths.map((apiPath) => `PathPrefix(\`${apiPath}\`)`).join(' || ');
    addRouter(`${router}-api`, `${host} && (${paths})`, null);
  }
  return labels;
}

/** KEY='value' lines compose reads literally; values holding a quote are double-quoted with escapes. */
export function renderEnvFile(values: Record<string, string>, header: string[] = []): string {
  const lines = header.map((line) => `# ${line}`);
  const globals = GLOBAL_VARIABLE_NAMES.filter((name) => name in values);
  const others = Object.keys(values)
    .filter((name) => !(GLOBAL_VARIABLE_NAMES as readonly string[]).includes(name))
    .sort();
  for (const name of [...globals, ...others]) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new AppError('VALIDATION_FAILED', 'Invalid variable name', `${name} is not a variable name`);
    const value = values[name] ?? '';
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(value))
      throw new AppError('VALIDATION_FAILED', 'Invalid variable value', `${name} contains a line break or control character`);
    const quoted = value.includes("'") ? `"${value.replace(/[\\"$]/g, (char) => `\\${char}`)}"` : `'${value}'`;
    lines.push(`${name}=${quoted}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderCompose(input: RenderInput): RenderedStack {
  const { entry, mode, settings } = input;
  const { template } = entry;
  if (!template.modes.includes(mode)) {
    throw new AppError(
      'VALIDATION_FAILED',
      'Unsupported deploy mode',
      `${entry.app.displayName} supports ${template.modes.join(', ')}, not ${mode}`,
      {
        fields: [{ path: 'mode.type', message: `must be one of ${template.modes.join(', ')}` }],
      },
    );
  }
  const isProxyMode = mode !== 'standard';
  const networkValue = isProxyMode ? PROXY_NETWORK_KEY : 'default';
  const values: Record<string, string> = { ...input.values, DOCKERNETWORK: networkValue };
  if (!values.DOMAIN) values.DOMAIN = settings.domain;
  const body = mapStrings(structuredClone(template.compose), (text) => substituteDockerNetwork(text, networkValue));
  const services = body.services;

  const extraLabels: Record<string, string> = {};
  for (const [key, value] of Object.entries(settings.labels)) extraLabels[key] = escapeForCompose(value);
  for (const service of Object.values(services)) {
    // Traefik labels come only from the renderer: a foreign template's own routers would clash with ours.
    const labels = Object.fromEntries(Object.entries(labelMap(service)).filter(([key]) => !key.startsWith('traefik.')));
    service.labels = { ...labels, ...extraLabels };
  }

  if (settings.containerName) {
    const main = services[mainServiceName(template)];
    if (main) main.container_name = settings.containerName;
  }

  if (isProxyMode) {
    const web = template.web;
    if (!web) throw new AppError('VALIDATION_FAILED', 'Unsupported deploy mode', `${entry.app.displayName} has no web interface to route`);
    const webService = services[web.service] as ComposeService;
    const namespaceOwner =
      typeof webService.network_mode === 'string' && webService.network_mode.startsWith('service:')
        ? webService.network_mode.slice(8)
        : web.service;
    const target = services[namespaceOwner] ?? webService;
    addNetworks(target, [PROXY_NETWORK_KEY]);
    target.labels = { ...(target.labels as Record<string, string>), ...traefikLabels(input, web.port) };
    if (!settings.publishPortsInProxyModes) {
      // Traefik serves the web port; other ports (DNS, torrent peers, …) are not HTTP and stay published.
      target.ports = asList(target.ports).filter((entry) => {
        try {
          return !resolvePorts({ services: { probe: { ports: [entry] } } }, values).some((port) => port.containerPort === web.port);
        } catch {
          return true;
        }
      });
      if ((target.ports as unknown[]).length === 0) delete target.ports;
    }
  }

  const referenced = new Set(Object.values(services).flatMap(networkKeys));
  const topNetworks: Record<string, unknown> =
    body.networks && typeof body.networks === 'object' ? { ...(body.networks as Record<string, unknown>) } : {};
  for (const key of Object.keys(topNetworks)) if (!referenced.has(key)) delete topNetworks[key];
  if (isProxyMode) topNetworks[PROXY_NETWORK_KEY] = { external: true, name: settings.proxyNetwork };
  const compose = { name: settings.projectName, ...body } as ComposeDocument & { name: string };
  compose.name = settings.projectName;
  if (Object.keys(topNetworks).length > 0) compose.networks = topNetworks;
  else delete compose.networks;

  const ports: RenderedPort[] = resolvePorts(compose, values).map(({ service, containerPort, hostPort, protocol }) => ({
    service,
    containerPort,
    hostPort,
    protocol,
  }));
  const images = [
    ...new Set(
      Object.values(services)
        .map((service) => (typeof service.image === 'string' ? interpolate(service.image, values) : ''))
        .filter(Boolean),
    ),
  ];
  const urls: string[] = [];
  if (isProxyMode) urls.push(`https://${template.name}.${values.DOMAIN}`);
  const webPort = template.web
    ? ports.find((port) => port.service === template.web?.service && port.containerPort === template.web.port && port.hostPort !== null)
    : undefined;
  if (webPort) urls.push(`http://${values.DOMAIN}:${webPort.hostPort}`);

  const header = [
    `Generated by HomelabARR for ${entry.app.id} (${mode} mode). Values live in .env next to this file:`,
    `docker compose up -d in this folder reproduces the deploy.`,
  ];
  const composeYaml = `${header.map((line) => `# ${line}`).join('\n')}\n${stringifyYaml(compose, { lineWidth: 0, aliasDuplicateObjects: false })}`;
  const envFile = renderEnvFile(values, [`Values for ${settings.projectName}; each value is literal (no interpolation).`]);
  const externalNetworks = Object.entries(topNetworks)
    .filter(([, network]) => (network as { external?: unknown } | null)?.external === true)
    .map(([key, network]) => {
      const name = (network as { name?: unknown }).name;
      return typeof name === 'string' ? interpolate(name, values) : key;
    });
  return {
    composeYaml,
    envFile,
    compose,
    services: Object.keys(services),
    images,
    ports,
    urls,
    externalNetworks: [...new Set(externalNetworks)],
  };
}
