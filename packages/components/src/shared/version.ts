/** The package version, compared by `define` when a page loads two copies of the script. */
export const VERSION = '0.1.0';
