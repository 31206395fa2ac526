/**
 * Settings → ChatClientOptions: defaults, path expansion, the download and shared folders,
 * sizes, and the nickname Join Chat proposes.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  buildClientOptions,
  DEFAULT_SETTINGS,
  expandPath,
  maxIncomingBytes,
  normalizeSettings,
  relayFromSettings,
  resolveDownloadDir,
  resolveSharedDirs,
  suggestNickname,
  WORKSPACE_DOWNLOAD_FOLDER,
} from '../../src/extension/clientOptions';

const ws = path.resolve('/work/project');
const other = path.resolve('/work/other');
const home = path.resolve('/home/alice');
const env = { workspaceFolders: [ws, other], homeDir: home };
const noWorkspace = { workspaceFolders: [], homeDir: home };
const identity = { fake: true } as never;

describe('extension/clientOptions: normalizeSettings', () => {
  it('fills every missing or malformed value with its default', () => {
    assert.deepEqual(normalizeSettings({}), DEFAULT_SETTINGS);
    const s = normalizeSettings({
      relayAddress: 42,
      acceptFiles: 'sometimes',
      allowRequests: 'never',
      maxIncomingSize: -5,
      sharedFolders: ['  /a  ', 7, '', '/b'],
      historyLimit: 1,
      autoStartRelay: 'always',
      notifyPrivateMessages: 'yes',
    });
    assert.equal(s.relayAddress, '127.0.0.1:12345');
    assert.equal(s.acceptFiles, 'ask');
    assert.equal(s.allowRequests, 'never');
    assert.equal(s.maxIncomingSize, 1024);
    assert.deepEqual(s.sharedFolders, ['/a', '/b']);
    assert.equal(s.historyLimit, 10);
    assert.equal(s.autoStartRelay, 'always');
    assert.equal(s.notifyPrivateMessages, true);
  });
});

describe('extension/clientOptions: paths', () => {
  it('expands ~, ${userHome} and ${workspaceFolder}, and resolves relative paths in the first folder', () => {
    assert.equal(expandPath('~', env), home);
    assert.equal(expandPath('~/inbox', env), path.join(home, 'inbox'));
    assert.equal(expandPath('${userHome}/x', env), path.join(home, 'x'));
    assert.equal(expandPath('${workspaceFolder}/in', env), path.join(ws, 'in'));
    assert.equal(expandPath('rel/dir', env), path.join(ws, 'rel', 'dir'));
    assert.equal(expandPath('rel', noWorkspace), path.join(home, 'rel'));
    assert.equal(expandPath(path.resolve('/abs/dir/../x'), env), path.resolve('/abs/x'));
  });

  it('downloads go to "PeerChat Downloads" in the workspace, ~/Downloads without one, or the setting', () => {
    assert.equal(resolveDownloadDir('', env), path.join(ws, WORKSPACE_DOWNLOAD_FOLDER));
    assert.equal(resolveDownloadDir('  ', noWorkspace), path.join(home, 'Downloads'));
    assert.equal(resolveDownloadDir('~/PeerChat', env), path.join(home, 'PeerChat'));
  });

  it('shares the workspace folders by default, the setting when given, and nothing with allowRequests "never"', () => {
    assert.deepEqual(resolveSharedDirs({ sharedFolders: [], allowRequests: 'ask' }, env), [ws, other]);
    assert.deepEqual(resolveSharedDirs({ sharedFolders: [], allowRequests: 'ask' }, noWorkspace), []);
    assert.deepEqual(resolveSharedDirs({ sharedFolders: ['docs', '~/pub', 'docs'], allowRequests: 'always' }, env), [path.join(ws, 'docs'), path.join(home, 'pub')]);
    assert.deepEqual(resolveSharedDirs({ sharedFolders: ['docs'], allowRequests: 'never' }, env), []);
  });
});

describe('extension/clientOptions: buildClientOptions', () => {
  it('maps the settings one to one', () => {
    const settings = normalizeSettings({ relayAddress: 'relay.example:4000', acceptFiles: 'always', allowRequests: 'always', maxIncomingSize: 2 });
    const pins = { get: () => undefined, set: () => undefined };
    const log = () => undefined;
    const o = buildClientOptions(settings, env, { nick: 'alice', identity, secret: 's3cret', pins, log });
    assert.deepEqual(o.relay, { host: 'relay.example', port: 4000 });
    assert.equal(o.nick, 'alice');
    assert.equal(o.identity, identity);
    assert.equal(o.downloadDir, path.join(ws, WORKSPACE_DOWNLOAD_FOLDER));
    assert.deepEqual(o.shareDirs, [ws, other]);
    assert.equal(o.acceptFiles, 'always');
    assert.equal(o.allowRequests, 'always');
    assert.equal(o.maxIncomingBytes, 2 * 1024 * 1024);
    assert.equal(o.secret, 's3cret');
    assert.equal(o.pins, pins);
    assert.equal(o.log, log);
  });

  it('leaves out what is not set, and lets an explicit relay win over the setting', () => {
    const o = buildClientOptions(normalizeSettings({ maxIncomingSize: 0, allowRequests: 'never' }), env, { nick: 'a', identity, relay: { host: '::1', port: 9 } });
    assert.deepEqual(o.relay, { host: '::1', port: 9 });
    assert.equal('maxIncomingBytes' in o, false);
    assert.equal('secret' in o, false);
    assert.deepEqual(o.shareDirs, []);
    assert.equal(o.allowRequests, 'ask');
  });

  it('explains a malformed relay address', () => {
    assert.throws(() => relayFromSettings({ relayAddress: 'udp://x:1' }), /peerchat\.relayAddress.*scheme/);
    assert.throws(() => buildClientOptions(normalizeSettings({ relayAddress: 'host:99999' }), env, { nick: 'a', identity }), /not valid/);
  });

  it('converts MB to bytes; 0 means no limit of our own', () => {
    assert.equal(maxIncomingBytes(0), undefined);
    assert.equal(maxIncomingBytes(1), 1_048_576);
    assert.equal(maxIncomingBytes(0.5), 524_288);
  });
});

describe('extension/clientOptions: suggestNickname', () => {
  it('prefers the setting, then the remembered nickname, then the OS user name made valid', () => {
    assert.equal(suggestNickname('  carol ', 'bob', 'root'), 'carol');
    assert.equal(suggestNickname('', 'bob', 'root'), 'bob');
    assert.equal(suggestNickname('', undefined, 'Jane Doe'), 'JaneDoe');
    assert.equal(suggestNickname('', '', '__svc.account'), 'svc.account');
    assert.equal(suggestNickname('', undefined, 'x'.repeat(40)).length, 24);
  });
});
