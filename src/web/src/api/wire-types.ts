// Types of the API responses the dashboard reads, all inferred from the shared contracts. Only
// types are imported here, so none of zod reaches the dashboard's first chunk.
import type { z } from 'zod';
import type { AppSchema, ApplicationsResponseSchema } from '../../../contracts/catalog.js';
import type { HealthSchema } from '../../../contracts/health.js';
import type {
  AppLogsResponseSchema,
  DeployAcceptedSchema,
  DeployModeType,
  DeploymentModesResponseSchema,
  DeploymentSchema,
  DeploymentStatusResponseSchema,
  ActiveDeploymentsResponseSchema,
} from '../../../contracts/deployments.js';
import type { ContainerListSchema, ContainerLogsSchema, ContainerSchema, ContainerStatsSchema } from '../../../contracts/containers.js';
import type { PortAvailableSchema, PortCheckSchema, PortUseSchema } from '../../../contracts/ports.js';
import type {
  ActivityLogResponseSchema,
  ApiKeyCreatedResponseSchema,
  ApiKeySchema,
  ApiKeysResponseSchema,
  LoginResponseSchema,
  MeResponseSchema,
  SessionSchema,
  SessionsResponseSchema,
  StarsResponseSchema,
  UserSchema,
  UsersResponseSchema,
} from '../../../contracts/auth.js';
import type {
  AuthStartResultSchema,
  AuthStoredResultSchema,
  AuthTestResultSchema,
  MountCostsSchema,
  MountPerformanceSchema,
  MountProvidersSchema,
  MountStatusSchema,
  ProviderInfoSchema,
  ProviderMountResultSchema,
} from '../../../contracts/mounts.js';

export type { DeployModeType };
export type App = z.infer<typeof AppSchema>;
export type ApplicationsResponse = z.infer<typeof ApplicationsResponseSchema>;
export type Health = z.infer<typeof HealthSchema>;

export type LoginResponse = z.infer<typeof LoginResponseSchema>;
export type MeResponse = z.infer<typeof MeResponseSchema>;
export type Session = z.infer<typeof SessionSchema>;
export type SessionsResponse = z.infer<typeof SessionsResponseSchema>;
export type User = z.infer<typeof UserSchema>;
export type UsersResponse = z.infer<typeof UsersResponseSchema>;
export type ApiKey = z.infer<typeof ApiKeySchema>;
export type ApiKeysResponse = z.infer<typeof ApiKeysResponseSchema>;
export type ApiKeyCreatedResponse = z.infer<typeof ApiKeyCreatedResponseSchema>;
export type StarsResponse = z.infer<typeof StarsResponseSchema>;
export type ActivityLogResponse = z.infer<typeof ActivityLogResponseSchema>;

export type DeploymentModesResponse = z.infer<typeof DeploymentModesResponseSchema>;
export type DeployAccepted = z.infer<typeof DeployAcceptedSchema>;
export type Deployment = z.infer<typeof DeploymentSchema>;
export type DeploymentStatusResponse = z.infer<typeof DeploymentStatusResponseSchema>;
export type ActiveDeploymentsResponse = z.infer<typeof ActiveDeploymentsResponseSchema>;
export type AppLogsResponse = z.infer<typeof AppLogsResponseSchema>;

export type Container = z.infer<typeof ContainerSchema>;
export type ContainerStats = z.infer<typeof ContainerStatsSchema>;
export type ContainersResponse = z.infer<typeof ContainerListSchema>;
export type ContainerLogsResponse = z.infer<typeof ContainerLogsSchema>;

export type PortDetail = z.infer<typeof PortUseSchema>;
export type PortsCheckResponse = z.infer<typeof PortCheckSchema>;
export type PortAvailableResponse = z.infer<typeof PortAvailableSchema>;

export type MountStatus = z.infer<typeof MountStatusSchema>;
export type MountProviders = z.infer<typeof MountProvidersSchema>;
export type ProviderInfo = z.infer<typeof ProviderInfoSchema>;
export type MountCosts = z.infer<typeof MountCostsSchema>;
export type MountPerformance = z.infer<typeof MountPerformanceSchema>;
export type ProviderMountResult = z.infer<typeof ProviderMountResultSchema>;
export type AuthStartResult = z.infer<typeof AuthStartResultSchema>;
export type AuthStoredResult = z.infer<typeof AuthStoredResultSchema>;
export type AuthTestResult = z.infer<typeof AuthTestResultSchema>;

/** Labels that mark a container as an rclone mount container (see the mounts module). */
export const MOUNT_LABEL = 'homelabarr.mount';
