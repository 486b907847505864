/** An error message safe for reports: the system's code and syscall, never file content. */
export function describeError(err: unknown): string {
	const e = err as NodeJS.ErrnoException;
	if (e && e.code === 'EACCES') return 'permission denied';
	if (e && e.code === 'ENOENT') return 'file disappeared during the run';
	if (e && e.code === 'EISDIR') return 'is a directory';
	if (e && e.code === 'ENOSPC') return 'no space left on the output device';
	if (e && e.code === 'ENAMETOOLONG') return 'file name too long for the output file system';
	if (e && e.code === 'ENOTDIR') return 'a file stands where an output folder is needed';
	if (e && (e.code === 'EPERM' || e.code === 'EROFS')) return 'the output location is not writable';
	if (e && e.code === 'ELOOP') return 'too many levels of symbolic links';
	if (e && e.code) return `${e.code}${e.syscall ? ` (${e.syscall})` : ''}`;
	if (e instanceof RangeError) return 'file too large to process in memory';
	return 'internal error while processing the file';
}
