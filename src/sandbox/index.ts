// The sandbox: an AWS-compatible endpoint on loopback serving a fixture account.
export { startSandbox, type Sandbox, type SandboxCall, type SandboxOptions, type SandboxStats } from './server.js';
export { loadFixture, parseFixture, fixtureFromObject } from './fixture.js';
export { generateAccount, type GenerateOptions } from './generate.js';
export { loadFaultPlan, parseFaultPlan, FAULT_KINDS, type FaultPlan, type FaultRule, type FaultKind } from './faults.js';
export { FixtureError } from './errors.js';
export { resolveDate } from './dates.js';
export type { Fixture, Account, Region } from './model.js';
export { organizationOf } from './fixture-estate.js';
export type { RateLimits } from './rate-limits.js';
