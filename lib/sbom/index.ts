export * from './subject';
export * from './spdx';
export * from './cyclonedx';
export * from './read';
