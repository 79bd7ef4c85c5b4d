export * from './registry-login';
export * from './image-build';
export * from './prebuilt-image';
export * from './kubernetes-objects';
export * from './goship-deployment';
