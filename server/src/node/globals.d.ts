// @types/node 20 declares the global TextDecoder value but not its type (later versions declare both), and the
// server's project has no DOM lib to supply it.
import type { TextDecoder as NodeTextDecoder } from 'node:util';

declare global {
	// eslint-disable-next-line @typescript-eslint/no-empty-object-type
	interface TextDecoder extends NodeTextDecoder {}
}
export {};
