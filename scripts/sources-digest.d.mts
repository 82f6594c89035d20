// Types of scripts/sources-digest.mjs for the TypeScript that imports it (test/helpers/cli.ts).
export declare const DIGEST_FILE: string;
export declare function sourcesDigest(root?: string): string;
export declare function builtDigest(root?: string): string | undefined;
