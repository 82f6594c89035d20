// The `yaml` library, loaded on first use. Most runs never need it: js-yaml (yaml-quick.ts)
// reads the files, and this library's document is only parsed to point at a problem (or for
// a file js-yaml does not take). Loading it up front cost every run ~25 ms.
import { createRequire } from 'node:module';

type YamlLib = typeof import('yaml');

let lib: YamlLib | undefined;

export function yamlLib(): YamlLib {
  return (lib ??= createRequire(import.meta.url)('yaml') as YamlLib);
}
