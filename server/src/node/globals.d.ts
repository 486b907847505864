// @types/node 20 declares the global TextDecoder value but not its type (later versions declare both); the
// server's type-check no longer sees the DOM lib that test dependencies used to bring into one big project.
import type { TextDecoder as NodeTextDecoder } from 'node:util';

declare global {
	// eslint-disable-next-line @typescript-eslint/no-empty-object-type
	interface TextDecoder extends NodeTextDecoder {}
}
export {};
