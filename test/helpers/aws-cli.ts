// The AWS CLI (Debian's awscli v2 at /usr/bin/aws, installed in CI) against the sandbox: a second,
// independent client (botocore) that must read the same wire answers the SDK reads. Run without
// blocking the event loop (the sandbox answers from this same process), with dummy credentials,
// no config files, no instance metadata and no pager.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';

/** `aws ARGS --region REGION --endpoint-url SANDBOX --output json`, its JSON answer ({} for none). */
export async function aws(sb: { url: string }, region: string, ...args: string[]): Promise<any> {
  const { stdout } = await run(AWS, [...args, '--region', region, '--endpoint-url', sb.url, '--output', 'json'], {
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp',
      AWS_ACCESS_KEY_ID: 'AKIASANDBOXCLI000000', AWS_SECRET_ACCESS_KEY: 'dummy', AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '', AWS_MAX_ATTEMPTS: '10',
    },
    timeout: 60_000,
  });
  return stdout.trim() === '' ? {} : JSON.parse(stdout);
}

/** The CLI's error text for a call AWS answers with an error. */
export async function awsError(sb: { url: string }, region: string, ...args: string[]): Promise<string> {
  try {
    await aws(sb, region, ...args);
  } catch (e) {
    return String((e as { stderr?: string }).stderr);
  }
  throw new Error(`aws ${args.join(' ')} succeeded`);
}
