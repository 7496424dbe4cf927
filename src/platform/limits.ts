/** Limits the platform loader applies, in a module of their own: the platform cache reads the file with them without loading the loader. */

/** Larger platform files are refused before parsing: a real fleet of 8192 chains is about 1 MB. */
export const MAX_PLATFORM_BYTES = 16 * 1024 * 1024;
