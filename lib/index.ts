export * from './spec/errors';
export * from './spec/platform';
export * from './spec/names';
export * from './spec/deployable-image';
