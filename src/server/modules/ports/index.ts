// Host port lookups: what is taken and the next free ports (GET /ports/...).
export { PortsService } from './ports.service.js';
