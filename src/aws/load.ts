/**
 * Reads the AWS CLI's JSON output (files or a directory of `*.json` files) into one inventory.
 * Each file is recognised by its content — the top-level key the CLI prints (`Subnets`,
 * `RouteTables`, ...) — never by its name. Pages of the same output (saved with `--max-items` /
 * `--starting-token`, or several JSON documents in one file) are merged. Malformed or unrelated
 * JSON is an `AwsInputError` (exit 3) that names the file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type {
  DhcpOptions, EgressOnlyInternetGateway, InternetGateway, NatGateway, NetworkAcl, NetworkInterface,
  ResolverEndpoint, ResolverRule, ResolverRuleAssociation, RouteTable, SecurityGroup, Subnet, Vpc, VpcDnsAttribute,
} from './types.js';

/** Unreadable, malformed or unrelated input: exit 3 (SPEC §2). */
export class AwsInputError extends Error {
  readonly exitCode = 3;
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

/** What each kind of input is, the command that prints it, and the member that identifies an item. */
export const INPUT_KINDS = {
  Vpcs: { command: 'aws ec2 describe-vpcs', id: 'VpcId', optional: false },
  Subnets: { command: 'aws ec2 describe-subnets', id: 'SubnetId', optional: false },
  RouteTables: { command: 'aws ec2 describe-route-tables', id: 'RouteTableId', optional: false },
  NatGateways: { command: 'aws ec2 describe-nat-gateways', id: 'NatGatewayId', optional: false },
  InternetGateways: { command: 'aws ec2 describe-internet-gateways', id: 'InternetGatewayId', optional: false },
  EgressOnlyInternetGateways: { command: 'aws ec2 describe-egress-only-internet-gateways', id: 'EgressOnlyInternetGatewayId', optional: false },
  SecurityGroups: { command: 'aws ec2 describe-security-groups', id: 'GroupId', optional: false },
  NetworkAcls: { command: 'aws ec2 describe-network-acls', id: 'NetworkAclId', optional: false },
  NetworkInterfaces: { command: 'aws ec2 describe-network-interfaces', id: 'NetworkInterfaceId', optional: true },
  DhcpOptions: { command: 'aws ec2 describe-dhcp-options', id: 'DhcpOptionsId', optional: true },
  ResolverEndpoints: { command: 'aws route53resolver list-resolver-endpoints', id: 'Id', optional: true },
  ResolverRules: { command: 'aws route53resolver list-resolver-rules', id: 'Id', optional: true },
  ResolverRuleAssociations: { command: 'aws route53resolver list-resolver-rule-associations', id: 'Id', optional: true },
} as const;

export type InputKind = keyof typeof INPUT_KINDS | 'VpcDnsAttributes';
export const LIST_KINDS = Object.keys(INPUT_KINDS) as (keyof typeof INPUT_KINDS)[];

/** Members the CLI prints next to the list that say nothing about resources. */
const PAGING_KEYS = new Set(['NextToken', 'MaxResults']);

export interface InputFile {
  path: string;
  kind: InputKind;
  items: number;
  /** The page ends with a NextToken: more pages exist. */
  nextToken: boolean;
}

export interface AwsInventory {
  vpcs: Vpc[];
  subnets: Subnet[];
  routeTables: RouteTable[];
  natGateways: NatGateway[];
  internetGateways: InternetGateway[];
  egressOnlyInternetGateways: EgressOnlyInternetGateway[];
  securityGroups: SecurityGroup[];
  networkAcls: NetworkAcl[];
  networkInterfaces: NetworkInterface[];
  dhcpOptions: DhcpOptions[];
  resolverEndpoints: ResolverEndpoint[];
  resolverRules: ResolverRule[];
  resolverRuleAssociations: ResolverRuleAssociation[];
  vpcDnsAttributes: VpcDnsAttribute[];
  /** Which kinds were given (at least one file each). */
  present: Set<InputKind>;
  files: InputFile[];
  /** Kinds whose every page ends with a NextToken: the last page is missing. */
  incomplete: InputKind[];
}

const FIELD: Record<keyof typeof INPUT_KINDS, keyof AwsInventory> = {
  Vpcs: 'vpcs', Subnets: 'subnets', RouteTables: 'routeTables', NatGateways: 'natGateways',
  InternetGateways: 'internetGateways', EgressOnlyInternetGateways: 'egressOnlyInternetGateways',
  SecurityGroups: 'securityGroups', NetworkAcls: 'networkAcls', NetworkInterfaces: 'networkInterfaces',
  DhcpOptions: 'dhcpOptions', ResolverEndpoints: 'resolverEndpoints', ResolverRules: 'resolverRules',
  ResolverRuleAssociations: 'resolverRuleAssociations',
};

export function emptyInventory(): AwsInventory {
  return {
    vpcs: [], subnets: [], routeTables: [], natGateways: [], internetGateways: [], egressOnlyInternetGateways: [],
    securityGroups: [], networkAcls: [], networkInterfaces: [], dhcpOptions: [], resolverEndpoints: [],
    resolverRules: [], resolverRuleAssociations: [], vpcDnsAttributes: [], present: new Set(), files: [], incomplete: [],
  };
}

/** Expands the command line's paths: a directory stands for its `*.json` files, in name order. */
export function expandInputs(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      throw new AwsInputError(`cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = readdirSync(p);
      } catch (err) {
        throw new AwsInputError(`cannot read directory ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      const json = names.filter((n) => !n.startsWith('.') && /\.json$/i.test(n)).sort();
      const files = json.filter((n) => statSync(join(p, n)).isFile());
      if (files.length === 0) throw new AwsInputError(`no .json files in ${p}`, 'save the AWS CLI output as .json files (see README: aws-check)');
      for (const n of files) out.push(join(p, n));
    } else {
      out.push(p);
    }
  }
  return out;
}

/** Loads files or directories into one inventory (throws AwsInputError). */
export function loadAwsInputs(paths: readonly string[]): AwsInventory {
  const inv = emptyInventory();
  const pagesWithToken = new Map<InputKind, { pages: number; withToken: number }>();
  const seen = new Map<string, Set<string>>();
  for (const file of expandInputs(paths)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new AwsInputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const docs = parseJsonDocuments(text, file);
    for (const doc of docs) {
      const page = recognise(doc, file);
      const count = pagesWithToken.get(page.kind) ?? { pages: 0, withToken: 0 };
      count.pages++;
      if (page.nextToken) count.withToken++;
      pagesWithToken.set(page.kind, count);
      inv.present.add(page.kind);
      inv.files.push({ path: file, kind: page.kind, items: page.items.length, nextToken: page.nextToken });
      const ids = seen.get(page.kind) ?? new Set<string>();
      seen.set(page.kind, ids);
      const field = page.kind === 'VpcDnsAttributes' ? 'vpcDnsAttributes' : FIELD[page.kind];
      const list = inv[field] as unknown as Record<string, unknown>[];
      const idKey = page.kind === 'VpcDnsAttributes' ? 'VpcId' : INPUT_KINDS[page.kind].id;
      for (const item of page.items) {
        const id = item[idKey] as string;
        if (ids.has(id)) {
          // The same resource on two pages (overlapping saves): the later copy wins.
          const at = list.findIndex((x) => x[idKey] === id);
          if (page.kind === 'VpcDnsAttributes') list[at] = { ...list[at], ...item };
          else list[at] = item;
          continue;
        }
        ids.add(id);
        list.push(item);
      }
    }
  }
  for (const [kind, c] of pagesWithToken) if (c.withToken === c.pages) inv.incomplete.push(kind);
  return inv;
}

interface Page { kind: InputKind; items: Record<string, unknown>[]; nextToken: boolean }

function recognise(doc: unknown, file: string): Page {
  if (Array.isArray(doc)) {
    throw new AwsInputError(`${file}: a JSON array, not the AWS CLI's output object`, 'save the whole output of the describe/list command, without --query');
  }
  if (doc === null || typeof doc !== 'object') {
    throw new AwsInputError(`${file}: not AWS CLI output (a JSON ${doc === null ? 'null' : typeof doc})`);
  }
  const obj = doc as Record<string, unknown>;
  const keys = Object.keys(obj);
  const listKeys = keys.filter((k) => Object.prototype.hasOwnProperty.call(INPUT_KINDS, k));
  // `aws ec2 describe-vpc-attribute --attribute enableDnsSupport`: {"VpcId": ..., "EnableDnsSupport": {"Value": ...}}
  if (listKeys.length === 0 && typeof obj.VpcId === 'string' && (isValueObject(obj.EnableDnsSupport) || isValueObject(obj.EnableDnsHostnames))) {
    return { kind: 'VpcDnsAttributes', items: [obj], nextToken: false };
  }
  if (listKeys.length !== 1) {
    const what = keys.length === 0 ? 'an empty object' : `top-level keys ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', ...' : ''}`;
    throw new AwsInputError(
      listKeys.length === 0
        ? `${file}: not output aws-check reads (${what}); expected one of ${LIST_KINDS.join(', ')}`
        : `${file}: more than one resource list in one document (${listKeys.join(', ')})`,
      listKeys.length === 0 ? 'save each command\'s JSON output to its own file (see README: aws-check)' : undefined,
    );
  }
  const kind = listKeys[0] as keyof typeof INPUT_KINDS;
  const other = keys.filter((k) => k !== kind && !PAGING_KEYS.has(k));
  if (other.length > 0) throw new AwsInputError(`${file}: ${kind} output with unexpected top-level key ${other[0]}`);
  const list = obj[kind];
  if (!Array.isArray(list)) throw new AwsInputError(`${file}: ${kind} is not a list`);
  const idKey = INPUT_KINDS[kind].id;
  list.forEach((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new AwsInputError(`${file}: ${kind}[${i}] is not an object`);
    const id = (item as Record<string, unknown>)[idKey];
    if (typeof id !== 'string' || id.length === 0) throw new AwsInputError(`${file}: ${kind}[${i}] has no ${idKey}`);
  });
  checkShapes(kind, list as Record<string, unknown>[], file);
  return { kind, items: list as Record<string, unknown>[], nextToken: typeof obj.NextToken === 'string' && obj.NextToken.length > 0 };
}

function isValueObject(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The nested lists the checks walk must be lists (a hand-edited file can break them). */
const NESTED_LISTS: Partial<Record<keyof typeof INPUT_KINDS, string[]>> = {
  Vpcs: ['Ipv6CidrBlockAssociationSet', 'CidrBlockAssociationSet'],
  Subnets: ['Ipv6CidrBlockAssociationSet'],
  RouteTables: ['Routes', 'Associations'],
  NatGateways: ['NatGatewayAddresses'],
  InternetGateways: ['Attachments'],
  EgressOnlyInternetGateways: ['Attachments'],
  SecurityGroups: ['IpPermissions', 'IpPermissionsEgress'],
  NetworkAcls: ['Entries', 'Associations'],
  NetworkInterfaces: ['Groups', 'Ipv6Addresses'],
  DhcpOptions: ['DhcpConfigurations'],
  ResolverRules: ['TargetIps'],
  ResolverEndpoints: ['SecurityGroupIds'],
};

function checkShapes(kind: keyof typeof INPUT_KINDS, list: Record<string, unknown>[], file: string): void {
  const nested = NESTED_LISTS[kind] ?? [];
  list.forEach((item, i) => {
    for (const k of nested) {
      const v = item[k];
      if (v !== undefined && !Array.isArray(v)) throw new AwsInputError(`${file}: ${kind}[${i}].${k} is not a list`);
      if (Array.isArray(v) && k !== 'SecurityGroupIds') {
        v.forEach((x, j) => {
          if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new AwsInputError(`${file}: ${kind}[${i}].${k}[${j}] is not an object`);
        });
      }
    }
  });
}

/**
 * One or more JSON documents, one after another (pages appended to one file). A syntax error names
 * the file, line and column.
 */
export function parseJsonDocuments(text: string, file: string): unknown[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // The common case, one document: let JSON.parse see it whole; split only when that fails.
  if (text.trim().length > 0) {
    try {
      return [JSON.parse(text)];
    } catch {
      // several documents, or a syntax error the scan below locates
    }
  }
  const docs: unknown[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    const c = text[i];
    if (c !== '{' && c !== '[') {
      // Let JSON.parse word the error for a lone scalar or garbage.
      docs.push(parseOne(text.slice(start), file, text, start));
      return docs;
    }
    let depth = 0;
    let inString = false;
    for (; i < n; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      }
    }
    docs.push(parseOne(text.slice(start, i), file, text, start));
  }
  if (docs.length === 0) throw new AwsInputError(`${file}: empty file, not AWS CLI JSON output`);
  return docs;
}

function parseOne(s: string, file: string, whole: string, base: number): unknown {
  try {
    return JSON.parse(s);
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0];
    const m = /position (\d+)/.exec(msg);
    const pos = base + (m ? Number(m[1]) : s.length);
    const { line, col } = lineCol(whole, Math.min(pos, whole.length));
    const reason = msg.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/, '');
    throw new AwsInputError(`${file}: not valid JSON (${reason}, line ${line} column ${col})`);
  }
}

function lineCol(text: string, pos: number): { line: number; col: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < pos; i++) if (text.charCodeAt(i) === 10) { line++; last = i; }
  return { line, col: pos - last };
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
