// Docker containers as the dashboard lists and controls them, with sampled CPU and memory.
export { ContainersService } from './containers.service.js';
export { StatsSampler } from './stats-sampler.js';
