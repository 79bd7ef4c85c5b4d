export * from './build';
export * from './image';
export * from './layer';
export * from './publish';
export * from './publisher';
export * from './resolver';
export * from './skip';
export * from '../image/publish-plan';
