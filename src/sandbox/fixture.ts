// Fixture files: YAML -> checked -> the resolved model (model.ts) with every AWS field derived.
// Short to write (defaults for ARNs, ids, versions, endpoints), dates relative to `now`.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { FixtureError } from './errors.js';
import { Cursor, plainLocator, yamlLocator, type Locator } from './reader.js';
import { resourceToken } from './defaults.js';
import type { Account, Fixture, FixtureBucket, Region, WireObject } from './model.js';
import { DAY, type Ctx } from './fixture-context.js';
import { addAlias, findKey, readKey } from './fixture-kms.js';
import {
  addDefaultParameterGroups, backupFor, readBackup, readCluster, readEngineDefaults, readInstance, readParameterGroup, readSnapshot,
} from './fixture-rds.js';
import { readGlobalCluster } from './fixture-global.js';
import { readConfig } from './fixture-config.js';
import { readAccountEstate, readOrganization, readRateLimits } from './fixture-estate.js';
import { lazyHistory, readHistory } from './fixture-history.js';
import type { AccountExtras } from './history-evidence-sources.js';
import { readTrail } from './fixture-cloudtrail.js';
import { readDetector } from './fixture-guardduty.js';
import { readLogGroups } from './fixture-logs.js';
import { readBucket } from './fixture-s3.js';
import { readInstanceSnapshot } from './fixture-instance-snapshots.js';
import { readBackupRegion } from './fixture-backup.js';
import { readDistributions, readLoadBalancers } from './fixture-edge.js';

/** Reads and resolves a fixture file; problems throw FixtureError "FILE:LINE:COL: problem". */
export function loadFixture(file: string, now: Date = new Date()): Fixture {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FixtureError(`${file}: cannot read fixture: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseFixture(text, file, now);
}

export function parseFixture(text: string, file: string, now: Date = new Date()): Fixture {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = lc.linePos(first.pos[0]);
    throw new FixtureError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${first.message.split('\n')[0]}`);
  }
  return buildFixture(doc.toJS({ maxAliasCount: 1000 }) as unknown, yamlLocator(file, doc, lc), now);
}

/** Resolves a fixture given as a plain object (as parsed YAML would be); used by generateAccount. */
export function fixtureFromObject(raw: unknown, now: Date = new Date(), name = '(generated)'): Fixture {
  return buildFixture(raw, plainLocator(name), now);
}

function buildFixture(raw: unknown, loc: Locator, now: Date): Fixture {
  const root = new Cursor(raw, [], loc, now).keys(['accounts', 'organization', 'rate_limits']);
  const accounts = root.list('accounts').map(readAccount);
  if (accounts.length === 0) root.fail('a fixture needs at least one account under "accounts"');
  const ids = new Set<string>();
  accounts.forEach((a, i) => {
    if (ids.has(a.id)) root.fail(`account ${a.id} appears twice`, ['accounts', i, 'id']);
    ids.add(a.id);
  });
  return {
    accounts,
    ...(root.has('organization') ? { organization: readOrganization(root.at('organization'), accounts) } : {}),
    ...(root.has('rate_limits') ? { rateLimits: readRateLimits(root.at('rate_limits')) } : {}),
  };
}

function readAccount(c: Cursor): Account {
  c.keys(['id', 'caller_arn', 'regions', 'roles', 'opt_in_regions', 'buckets', 'cloudfront']);
  const id = c.str('id');
  if (!/^\d{12}$/.test(id)) c.fail(`account "id" must be 12 digits (quote it in YAML), found "${id}"`, [...c.path, 'id']);
  const callerArn = c.str('caller_arn', `arn:aws:sts::${id}:assumed-role/trustpack-sandbox/session`);
  const roleName = /assumed-role\/([^/]+)\/(.+)$/.exec(callerArn);
  const callerUserId = roleName ? `AROA${resourceToken(17, id, roleName[1] ?? '')}:${roleName[2]}` : `AIDA${resourceToken(17, id, callerArn)}`;
  const regions: Record<string, Region> = {};
  // a region's configuration history also holds account-level resources (buckets, distributions),
  // read after the regions: the histories are built once the account is
  let buckets: FixtureBucket[] = [];
  let distributions: WireObject[] | undefined;
  const extras = (region: string): AccountExtras => ({
    buckets: buckets.filter((b) => b.region === region),
    ...(region === 'us-east-1' && distributions ? { distributions } : {}),
  });
  const histories: (() => void)[] = [];
  for (const [name, rc] of c.entries('regions')) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(name)) rc.fail(`"${name}" is not a region name like us-east-1`);
    regions[name] = readRegion(rc, id, name, () => extras(name), histories);
  }
  buckets = c.list('buckets').map((bc) => readBucket(bc, id));
  buckets.forEach((b, i) => {
    if (buckets.findIndex((x) => x.name === b.name) !== i) c.fail(`bucket ${b.name} appears twice`, [...c.path, 'buckets', i, 'name']);
  });
  if (c.has('cloudfront')) distributions = readDistributions(c.list('cloudfront'), id, c.now);
  for (const h of histories) h();
  return {
    id, callerArn, callerUserId, regions, ...(buckets.length ? { buckets } : {}), ...readAccountEstate(c),
    ...(distributions ? { cloudfront: distributions } : {}),
  };
}


function readRegion(c: Cursor, account: string, name: string, extras: () => AccountExtras, histories: (() => void)[]): Region {
  c.keys(['clusters', 'instances', 'snapshots', 'automated_backups', 'parameter_groups', 'keys', 'aliases', 'config', 'global_clusters', 'history', 'empty_last_page', 'trails', 'guardduty', 'log_groups',
    'instance_snapshots', 'backup', 'load_balancers', 'engine_defaults']);
  const ctx: Ctx = { account, region: name, now: c.now, keys: [], aliases: [] };
  for (const kc of c.list('keys')) readKey(kc, ctx);
  for (const ac of c.list('aliases')) {
    ac.keys(['name', 'key']);
    const target = findKey(ctx, ac.str('key'), ac.at('key'));
    addAlias(ctx, ac.str('name'), target, ac.now);
  }
  const region: Region = {
    name, clusters: [], instances: [], snapshots: [], snapshotAttributes: {}, automatedBackups: [],
    parameterGroups: [], keys: ctx.keys, aliases: ctx.aliases, config: { recorders: [], statuses: [], rules: [] },
  };
  for (const pc of c.list('parameter_groups')) region.parameterGroups.push(readParameterGroup(pc, ctx, region));
  const backupOff = new Set<string>();
  for (const cc of c.list('clusters')) readCluster(cc, ctx, region, backupOff);
  for (const ic of c.list('instances')) readInstance(ic, ctx, region, undefined, region.instances.length);
  // MultiAZ: members in more than one AZ, once stand-alone instances have joined their clusters
  for (const cl of region.clusters) {
    cl['MultiAZ'] = new Set(region.instances.filter((x) => x.DBClusterIdentifier === cl.DBClusterIdentifier).map((x) => x['AvailabilityZone'])).size > 1;
  }
  for (const sc of c.list('snapshots')) readSnapshot(sc, ctx, region);
  const explicit = new Set<string>();
  for (const bc of c.list('automated_backups')) {
    const b = readBackup(bc, ctx, region);
    explicit.add(b.DBClusterIdentifier);
    region.automatedBackups.push(b);
  }
  // AWS keeps automated backups of every live cluster: derive them unless listed or switched off
  for (const cl of region.clusters) {
    if (explicit.has(cl.DBClusterIdentifier) || backupOff.has(cl.DBClusterIdentifier) || cl.BackupRetentionPeriod === 0) continue;
    region.automatedBackups.push(backupFor(ctx, cl, 'active', cl.BackupRetentionPeriod,
      new Date(ctx.now.getTime() - cl.BackupRetentionPeriod * DAY), new Date(ctx.now.getTime() - 5 * 60_000)));
  }
  addDefaultParameterGroups(ctx, region);
  if (c.has('engine_defaults')) region.engineDefaults = readEngineDefaults(c);
  for (const sc of c.list('instance_snapshots')) readInstanceSnapshot(sc, ctx, region);
  if (c.has('backup')) region.backup = readBackupRegion(c.at('backup'), ctx);
  if (c.has('load_balancers')) region.elbv2 = readLoadBalancers(c.list('load_balancers'), ctx);
  if (c.has('config')) region.config = readConfig(c.at('config'), ctx);
  if (c.has('global_clusters')) region.globalClusters = c.list('global_clusters').map((gc) => readGlobalCluster(gc, ctx, region));
  if (c.bool('empty_last_page', false)) region.emptyLastPage = true;
  if (c.has('trails')) region.trails = c.list('trails').map((tc) => readTrail(tc, ctx));
  if (c.has('log_groups') || region.clusters.length > 0 || region.trails?.length) region.logGroups = readLogGroups(c, ctx, region);
  if (c.has('guardduty')) region.guardduty = readDetector(c.at('guardduty'), ctx);
  if (c.has('history')) histories.push(() => { region.history = readHistory(c.at('history'), ctx, region, extras()); });
  else lazyHistory(region, ctx, extras);
  return region;
}
