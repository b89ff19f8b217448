/** linkToAwsFindings: capture findings get the configuration finding that explains them. */
import { describe, it, expect } from 'vitest';
import type { Finding } from '../../src/diag/finding.js';
import { loadAwsInputs } from '../../src/aws/load.js';
import { runAwsChecks } from '../../src/aws/run.js';
import { AWS_LINKS, linkToAwsFindings } from '../../src/aws/link.js';
import { AWS_CHECKS } from '../../src/aws/checks/index.js';

const aws = (dir: string) => runAwsChecks(loadAwsInputs([`fixtures/aws/${dir}`])).findings;

function capture(id: string, detail: string): Finding {
  return { id, severity: 'error', flow: 'tcp [2600:1f14:abc:de00::10]:49152 -> [64:ff9b::c633:6407]:443', packets: [12, 14], title: id, detail, fix: 'generic fix' };
}

describe('linkToAwsFindings', () => {
  it('SYNs to 64:ff9b:: unanswered -> the route table without a 64:ff9b::/96 route', () => {
    const cf = capture('prefix-not-routed', 'SYNs to 64:ff9b::c633:6407 unanswered');
    const [linked] = linkToAwsFindings([cf], aws('prefix-route-missing'));
    expect(linked.detail).toBe('SYNs to 64:ff9b::c633:6407 unanswered — route table rtb-0a1b2c3d4e5f60201 (ipv6-only) has no 64:ff9b::/96 route (aws-check prefix-route-missing)');
    expect(linked.awsFix).toBe('aws ec2 create-route --route-table-id rtb-0a1b2c3d4e5f60201 --destination-ipv6-cidr-block 64:ff9b::/96 --nat-gateway-id nat-0a1b2c3d4e5f60301');
    expect(linked.resources).toEqual(['rtb-0a1b2c3d4e5f60201', 'subnet-0a1b2c3d4e5f60201', 'eigw-0a1b2c3d4e5f60501', 'nat-0a1b2c3d4e5f60301']);
    expect(linked.packets).toEqual([12, 14]);
    expect(linked.fix).toBe('generic fix');
    expect(cf.detail).toBe('SYNs to 64:ff9b::c633:6407 unanswered'); // input untouched
  });

  it('dns64-missing -> DNS64 off on the subnet; the names of the issue work as aliases', () => {
    const [a, b] = linkToAwsFindings([capture('dns64-missing', 'no AAAA for api.example.com.'), capture('no-synthesis', 'x')], aws('dns64-disabled'));
    expect(a.detail).toMatch(/^no AAAA for api\.example\.com\. — DNS64 is off on subnet subnet-0a1b2c3d4e5f60201/);
    expect(a.awsFix).toBe('aws ec2 modify-subnet-attribute --subnet-id subnet-0a1b2c3d4e5f60201 --enable-dns64');
    expect(b.detail).toContain('aws-check dns64-disabled');
  });

  it('idle-timeout, port-exhaustion, fragments -> the NAT gateway on the path (info) when nothing is wrong', () => {
    const good = aws('good');
    const out = linkToAwsFindings([capture('idle-timeout', 'RST after 350 s idle'), capture('port-exhaustion', 'p'), capture('fragments-dropped', 'f')], good);
    for (const f of out) expect(f.detail).toContain('through public NAT gateway nat-0a1b2c3d4e5f60301 (nat64) (aws-check nat64-path)');
    expect(out[1].awsFix).toBe('aws ec2 associate-nat-gateway-address --nat-gateway-id nat-0a1b2c3d4e5f60301 --allocation-ids <eipalloc-id>');
  });

  it('a configuration error outranks the info about the path', () => {
    const [f] = linkToAwsFindings([capture('pmtu-blackhole', 'big segments lost')], aws('nacl-blocks-packet-too-big'));
    expect(f.detail).toContain('aws-check nacl-blocks-packet-too-big');
    expect(f.detail).not.toContain('nat64-path');
  });

  it('leaves findings alone when nothing explains them, and takes a table of its own', () => {
    const cf = capture('prefix-not-routed', 'd');
    expect(linkToAwsFindings([cf], aws('good'))[0]).toBe(cf);
    expect(linkToAwsFindings([capture('checksum-bad', 'd')], aws('dns64-disabled'))[0].detail).toBe('d');
    const [x] = linkToAwsFindings([capture('my-rule', 'd')], aws('dns64-disabled'), { 'my-rule': ['dns64-disabled'] });
    expect(x.detail).toContain('aws-check dns64-disabled');
  });

  it('every aws-check id in the table exists', () => {
    const ids = new Set([...AWS_CHECKS.flatMap((c) => c.ids), 'no-ipv6-subnet']);
    for (const [k, v] of Object.entries(AWS_LINKS)) for (const id of v) expect(ids.has(id), `${k} -> ${id}`).toBe(true);
  });
});
