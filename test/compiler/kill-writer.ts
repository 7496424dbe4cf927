// Child process for the kill tests: writes six files of version ARGV[3] into ARGV[2] and
// SIGKILLs itself at the step named by ARGV[4] (`staged:N`, `journal:0`, `renamed:N`, or `none`).
import { artifact } from '../../src/compiler/artifact.ts';
import { writeArtifacts } from '../../src/compiler/write.ts';

const [root, version, at] = process.argv.slice(2) as [string, string, string];
const [step, nth] = at.split(':');
let seen = 0;
const files = Array.from({ length: 6 }, (_, i) =>
  artifact('conf', `hosts/h/home/.komodo/C${i}/C${i}.conf`, `rpcport=${i}\nv=${version}\n`, {
    host: 'h',
    secret: true,
  }),
);
writeArtifacts(root, files, {
  onStep: (s) => {
    if (s === step && seen++ === Number(nth)) process.kill(process.pid, 'SIGKILL');
  },
});
