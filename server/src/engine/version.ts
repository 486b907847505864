export const ENGINE_VERSION = '0.9.4';
