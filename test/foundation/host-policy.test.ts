import { describe, expect, it } from 'vitest';
import { createHostPolicy, hostnameOf } from '../../src/server/host-policy.js';
import { classifyAddress } from '../../src/server/network-addresses.js';

const policy = createHostPolicy({
  allowedHosts: ['homelab.example.com', '*.lan.example.org'],
  corsOrigins: ['https://dash.example.net'],
  machineNames: ['nas', 'nas.local'],
  machineAddresses: ['203.0.113.7', 'fe80::1'],
});

describe('host policy', () => {
  it('knows loopback, LAN addresses, localhost, the machine names and configured names', () => {
    for (const host of [
      '127.0.0.1',
      '::1',
      'localhost',
      'app.localhost',
      '192.168.1.10',
      '10.0.0.2',
      '172.20.0.3',
      '100.101.102.103',
      'fd12::1',
    ]) {
      expect(policy.isKnownHost(host), host).toBe(true);
    }
    for (const host of ['nas', 'NAS.local', '203.0.113.7', 'homelab.example.com', 'x.lan.example.org', 'dash.example.net']) {
      expect(policy.isKnownHost(host), host).toBe(true);
    }
  });

  it('does not know other names or public addresses', () => {
    for (const host of ['evil', 'evil.example', 'homelab.example.com.evil.example', 'lan.example.org.evil', '8.8.8.8', '2001:db8::1']) {
      expect(policy.isKnownHost(host), host).toBe(false);
    }
  });

  it('reads the host of a Host header, refusing ones with paths or credentials', () => {
    expect(hostnameOf('nas.lan:8092')).toBe('nas.lan');
    expect(hostnameOf('[::1]:8084')).toBe('::1');
    expect(hostnameOf('evil/path')).toBeNull();
    expect(hostnameOf('user@evil')).toBeNull();
    expect(policy.isKnownHostHeader('127.0.0.1:8092')).toBe(true);
    expect(policy.isKnownHostHeader('evil:8092')).toBe(false);
    expect(policy.isKnownHostHeader(undefined)).toBe(false);
  });

  it('allows a same-origin request only on a known host, and configured origins from anywhere', () => {
    expect(policy.isAllowedOrigin('http://evil', 'evil')).toBe(false);
    expect(policy.isAllowedOrigin('http://evil.example:8092', 'evil.example:8092')).toBe(false);
    expect(policy.isAllowedOrigin('http://192.168.1.10:8084', '192.168.1.10:8084')).toBe(true);
    expect(policy.isAllowedOrigin('http://nas.local:8084', 'nas.local:8084')).toBe(true);
    expect(policy.isAllowedOrigin('http://nas.local:8084', 'nas.local:8092')).toBe(false);
    expect(policy.isAllowedOrigin('https://dash.example.net', 'evil')).toBe(true);
    expect(policy.isAllowedOrigin('null', 'localhost')).toBe(false);
  });
});

describe('address kinds', () => {
  it('tells metadata, link-local, loopback, unspecified, private and public addresses apart', () => {
    expect(classifyAddress('169.254.169.254')).toBe('link-local');
    expect(classifyAddress('::ffff:169.254.169.254')).toBe('link-local');
    expect(classifyAddress('[fe80::1]')).toBe('link-local');
    expect(classifyAddress('100.100.100.200')).toBe('metadata');
    expect(classifyAddress('fd00:ec2::254')).toBe('metadata');
    expect(classifyAddress('127.0.0.53')).toBe('loopback');
    expect(classifyAddress('::ffff:127.0.0.1')).toBe('loopback');
    expect(classifyAddress('0.0.0.0')).toBe('unspecified');
    expect(classifyAddress('192.168.0.5')).toBe('private');
    expect(classifyAddress('1.1.1.1')).toBe('public');
    expect(classifyAddress('nas.lan')).toBeNull();
  });
});
