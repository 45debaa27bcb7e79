export {
  ProvisioningLoader,
  describeIssues,
  type EffectiveProvisioning,
  type ProvisioningLoaderOptions,
  type ProvisioningResult,
} from './loader.js';
export { defaultPolicyPath, sourcesFromCommandLine, type ProvisioningSources } from './sources.js';
export { fetchDocument, type FetchOptions } from './fetchDocument.js';
