// Runes everywhere (CONTRIBUTING.md rule 16): a component using legacy `export let` or `$:` fails to compile.
export default {
  compilerOptions: { runes: true },
};
