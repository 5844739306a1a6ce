// Docker's answers about containers (GET /containers/json rows, GET /containers/{id}/json), reduced
// to the fields the project reads and mapped onto its types.
import type { ContainerDetails, ContainerSummary } from './engine.js';

/** The fields of GET /containers/json rows that the project reads. */
export type EngineContainerRow = {
  Id: string;
  Names?: string[] | null;
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  State: string;
  Status: string;
  Labels?: Record<string, string> | null;
  Ports?: { PrivatePort: number; PublicPort?: number; Type: string; IP?: string }[] | null;
};

/** The fields of GET /containers/{id}/json that the project reads. */
export type EngineContainerInspect = {
  Id: string;
  Name: string;
  Image: string;
  Created: string;
  Config?: { Image?: string; Tty?: boolean; Labels?: Record<string, string> | null } | null;
  State: {
    Status: string;
    Running: boolean;
    StartedAt?: string;
    FinishedAt?: string;
    ExitCode: number;
    Health?: { Status?: string } | null;
  };
  RestartCount: number;
  NetworkSettings?: { Networks?: Record<string, { IPAddress?: string }> | null } | null;
};

export function toContainerSummary(info: EngineContainerRow): ContainerSummary {
  return {
    id: info.Id,
    names: info.Names ?? [],
    image: info.Image,
    imageId: info.ImageID,
    command: info.Command,
    created: info.Created,
    state: info.State,
    status: info.Status,
    labels: info.Labels ?? {},
    ports: (info.Ports ?? []).map((port) => ({
      privatePort: port.PrivatePort,
      publicPort: port.PublicPort ?? null,
      type: port.Type,
      ip: port.IP ?? null,
    })),
  };
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

export function toContainerDetails(info: EngineContainerInspect): ContainerDetails {
  const state = info.State;
  const networks: Record<string, { ipAddress: string }> = {};
  for (const [name, network] of Object.entries(info.NetworkSettings?.Networks ?? {})) {
    networks[name] = { ipAddress: network.IPAddress ?? '' };
  }
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    image: info.Config?.Image ?? '',
    imageId: info.Image,
    created: info.Created,
    isTty: info.Config?.Tty === true,
    labels: info.Config?.Labels ?? {},
    state: {
      status: state.Status,
      isRunning: state.Running,
      startedAt: state.StartedAt && state.StartedAt !== ZERO_TIME ? state.StartedAt : null,
      finishedAt: state.FinishedAt && state.FinishedAt !== ZERO_TIME ? state.FinishedAt : null,
      exitCode: state.ExitCode,
      health: state.Health?.Status ?? null,
    },
    restartCount: info.RestartCount,
    networks,
  };
}
