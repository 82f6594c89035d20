// Types of scripts/layers.mjs for the TypeScript that imports it (test/import-graph.test.ts).
export declare const LAYERS: Record<string, string[]>;
export declare function layerOf(path: string): string | undefined;
export declare const isSdk: (specifier: string) => boolean;
