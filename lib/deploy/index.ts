export * from './strategy';
export * from './resources';
export * from './env';
export * from './probes';
export * from './service-type';
export * from './image-facts';
export * from './workload-spec';
export * from './rolling-deployment';
