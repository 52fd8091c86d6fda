// Runs one CLI command in-process through a commander program (as src/cli/main.ts wires it),
// capturing what it prints and the exit code classifyError assigns to a thrown error.
import { Command } from 'commander';
import { classifyError } from '../../src/cli/main.js';

export type Register = (program: Command, out: (s: string) => void) => void;

export async function runCommand(register: Register, argv: string[]): Promise<{ code: number; out: string; message: string }> {
  let out = '';
  const program = new Command('neurion').exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: () => {} });
  register(program, (s) => (out += s));
  try {
    await program.parseAsync(['node', 'neurion', ...argv]);
    return { code: 0, out, message: '' };
  } catch (e) {
    const { code, message } = classifyError(e);
    return { code, out, message };
  }
}
