// What DescribeDBMajorEngineVersions answers in the sandbox: each major version's lifecycle
// (standard support, then RDS Extended Support), after the dates AWS publishes in its
// release calendars (Aurora MySQL: AuroraMySQL.release-calendars; Aurora PostgreSQL:
// aurora-postgresql-release-calendar; RDS for MySQL: MySQL.Concepts.VersionMgmt; RDS for
// PostgreSQL: PostgreSQL.Concepts.General.VersionPolicy; RDS Extended Support:
// extended-support-versions). Start dates of the RDS engines are their RDS release months.
// Fixture data for tests and the demo, not a statement trustpack relies on: the collector reads
// the live answer.

interface Lifecycle { standard: [string, string]; extended?: [string, string] }

const MAJOR_ENGINE_LIFECYCLES: Record<string, Record<string, Lifecycle>> = {
  'aurora-mysql': {
    '5.7': { standard: ['2015-07-27', '2024-10-31'], extended: ['2024-11-01', '2027-02-28'] },
    '8.0': { standard: ['2021-11-18', '2028-04-30'], extended: ['2028-05-01', '2031-04-30'] },
  },
  'aurora-postgresql': {
    '11': { standard: ['2019-11-26', '2024-02-29'], extended: ['2024-03-01', '2027-03-31'] },
    '12': { standard: ['2021-01-28', '2025-02-28'], extended: ['2025-03-01', '2028-02-29'] },
    '13': { standard: ['2021-08-26', '2026-02-28'], extended: ['2026-03-01', '2029-02-28'] },
    '14': { standard: ['2022-06-09', '2027-02-28'], extended: ['2027-03-01', '2030-02-28'] },
    '15': { standard: ['2023-07-13', '2028-02-29'], extended: ['2028-03-01', '2031-02-28'] },
    '16': { standard: ['2024-01-31', '2029-02-28'], extended: ['2029-03-01', '2032-02-29'] },
  },
  // RDS for MySQL and PostgreSQL (stand-alone instances and Multi-AZ DB clusters)
  mysql: {
    '5.7': { standard: ['2016-02-01', '2024-02-29'], extended: ['2024-03-01', '2027-02-28'] },
    '8.0': { standard: ['2018-10-01', '2026-07-31'], extended: ['2026-08-01', '2029-07-31'] },
    '8.4': { standard: ['2024-11-01', '2029-07-31'], extended: ['2029-08-01', '2032-07-31'] },
  },
  postgres: {
    '12': { standard: ['2020-05-01', '2025-02-28'], extended: ['2025-03-01', '2028-02-29'] },
    '13': { standard: ['2021-02-01', '2026-02-28'], extended: ['2026-03-01', '2029-02-28'] },
    '14': { standard: ['2022-02-01', '2027-02-28'], extended: ['2027-03-01', '2030-02-28'] },
    '15': { standard: ['2023-02-01', '2028-02-29'], extended: ['2028-03-01', '2031-02-28'] },
    '16': { standard: ['2023-11-01', '2029-02-28'], extended: ['2029-03-01', '2032-02-29'] },
  },
};

/** The DBMajorEngineVersion objects for an engine (all engines when none is given), sorted. */
export function majorEngineVersions(engine?: string, major?: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const [e, majors] of Object.entries(MAJOR_ENGINE_LIFECYCLES)) {
    if (engine && e !== engine) continue;
    for (const [m, l] of Object.entries(majors)) {
      if (major && m !== major) continue;
      const lifecycles = [{ LifecycleSupportName: 'open-source-rds-standard-support', LifecycleSupportStartDate: new Date(l.standard[0]), LifecycleSupportEndDate: new Date(l.standard[1]) }];
      if (l.extended) lifecycles.push({ LifecycleSupportName: 'open-source-rds-extended-support', LifecycleSupportStartDate: new Date(l.extended[0]), LifecycleSupportEndDate: new Date(l.extended[1]) });
      out.push({ Engine: e, MajorEngineVersion: m, SupportedEngineLifecycles: lifecycles });
    }
  }
  return out;
}
