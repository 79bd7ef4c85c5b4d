import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cleanPath, ImageError, indexTar, readHead } from '../../lib/inspect/tar-index';

describe('indexTar', () => {
  let tmp: string;
  const long = `${'a'.repeat(120)}/${'b'.repeat(120)}/blob`;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-tar-index-'));
    const src = path.join(tmp, 'src');
    fs.mkdirSync(path.join(src, path.dirname(long)), { recursive: true });
    fs.writeFileSync(path.join(src, long), 'long name');
    fs.writeFileSync(path.join(src, 'index.json'), '{"schemaVersion":2}');
    fs.writeFileSync(path.join(src, 'big'), Buffer.alloc(1500, 1));
    fs.symlinkSync('index.json', path.join(src, 'link'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  // GNU tar (on every Debian machine) writes the long name as a GNU 'L' record or a pax header.
  test.each(['gnu', 'pax', 'ustar'])('GIVEN a %s archive written by GNU tar WHEN indexed THEN members are found with their bytes', async (format) => {
    const file = path.join(tmp, `${format}.tar`);
    const members = format === 'ustar' ? ['index.json', 'big', 'link'] : ['.'];
    execFileSync('tar', [`--format=${format}`, '-cf', file, '-C', path.join(tmp, 'src'), ...members]);

    const index = await indexTar(file);

    expect((await readHead(index.get('/index.json')!, 100)).toString()).toBe('{"schemaVersion":2}');
    expect(index.get('/big')?.size).toBe(1500);
    expect(index.has('/link')).toBe(false); // symlinks are not blobs
    if (format !== 'ustar') {
      expect((await readHead(index.get(`/${long}`)!, 100)).toString()).toBe('long name');
    }
  });

  it('fails if the file is not a tar archive', async () => {
    const file = path.join(tmp, 'junk');
    fs.writeFileSync(file, Buffer.alloc(1024, 0x41));
    await expect(indexTar(file)).rejects.toThrow(new ImageError(`${file}: not a tar archive, or corrupt at byte 0 (bad header checksum)`));
  });

  it('fails if a member is cut short', async () => {
    const file = path.join(tmp, 'cut.tar');
    execFileSync('tar', ['-cf', file, '-C', path.join(tmp, 'src'), 'big']);
    fs.truncateSync(file, 1024);
    await expect(indexTar(file)).rejects.toThrow(/truncated tar archive \(a member at byte 0 needs 1500 bytes/);
  });
});

describe('cleanPath', () => {
  test.each([
    ['./app', '/app'],
    ['app', '/app'],
    ['/usr//bin/', '/usr/bin'],
    ['../../etc/passwd', '/etc/passwd'],
    ['a/./b/../c', '/a/c'],
    ['', '/'],
  ])('%j → %j', (input, output) => {
    expect(cleanPath(input)).toBe(output);
  });
});
