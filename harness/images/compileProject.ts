import path from 'node:path';
import ts from 'typescript';

/**
 * Compiles the project's TypeScript as `npm run build` does (tsconfig.build.json),
 * but only the files under `roots` (e.g. ['demo']) and into `outDir`, so tests
 * neither race with a developer's `dist/` nor depend on unrelated folders.
 * Throws with the compiler's diagnostics on any error.
 */
export function compileProject(projectDir: string, roots: string[], outDir: string): string[] {
  const configPath = path.join(projectDir, 'tsconfig.build.json');
  const read = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, projectDir);
  const prefixes = roots.map((root) => path.join(projectDir, root) + path.sep);
  const rootNames = parsed.fileNames.filter((file) => prefixes.some((prefix) => path.resolve(file).startsWith(prefix)));
  if (rootNames.length === 0) throw new Error(`no TypeScript files under ${roots.join(', ')}`);
  const program = ts.createProgram({ rootNames, options: { ...parsed.options, outDir, sourceMap: false, declaration: false } });
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  if (diagnostics.length > 0) {
    const host: ts.FormatDiagnosticsHost = {
      getCanonicalFileName: (name) => name,
      getCurrentDirectory: () => projectDir,
      getNewLine: () => '\n',
    };
    throw new Error(`TypeScript errors while compiling ${roots.join(', ')}:\n${ts.formatDiagnostics(diagnostics, host)}`);
  }
  return rootNames;
}
