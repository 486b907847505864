export const ENGINE_VERSION = '0.8.0';
