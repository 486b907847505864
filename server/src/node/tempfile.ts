import { dirname, join } from 'node:path';

/**
 * A temporary name beside an output, short whatever the output's name (a long name plus a suffix can exceed the
 * file system's limit). The pid lets a later run tell a dead run's leftovers from a live run's files.
 */
export function temporaryPath(dst: string): string {
	return join(dirname(dst), `.deid-tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
}
