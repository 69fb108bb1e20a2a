import { RelayError } from '@llm-relay/contracts';
import type { Provider } from '@llm-relay/contracts';
import { candidatesFor, type Candidate, type CompiledConfig, type CompiledKey } from './compiled.ts';

/**
 * Where a request that names no model goes (a pass-through call such as `/v1/files`, or a Responses call
 * whose stored prompt supplies the model): the key's default provider when it is of the right type, else
 * the providers serving the settings' default model (DEFAULT_MODEL), else the first provider of the type.
 * The body goes as it came, so `upstreamModel` is empty.
 */
export function candidatesWithoutModel(cfg: CompiledConfig, key: CompiledKey, type: Provider['type']): Candidate[] {
  const wanted = key.record.defaultProvider;
  const preferred = wanted ? cfg.providersById.get(wanted) : undefined;
  if (preferred?.type === type) return [{ provider: preferred, upstreamModel: '' }];
  const byDefaultModel = candidatesFor(cfg, cfg.settings.defaultModel, type);
  if (byDefaultModel.length > 0) return byDefaultModel.map((c) => ({ provider: c.provider, upstreamModel: '' }));
  const p = cfg.providers.find((x) => x.type === type) ?? preferred ?? cfg.providers[0];
  if (!p) throw new RelayError('no_provider', 'No provider is configured.');
  return [{ provider: p, upstreamModel: '' }];
}
