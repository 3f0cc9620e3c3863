#!/usr/bin/env node
// Compiles the project's Solidity sources with the npm package `solc` (standard-JSON API), offline.
//
// Usage: node compile.js <sourceDir> <nodeModulesDir> <outDir>
//
// Writes <outDir>/<Name>.bin (creation bytecode, hex without 0x), <outDir>/<Name>.runtime.bin (the
// deployed code) and <outDir>/<Name>.abi (JSON) for every deployable contract defined in
// <sourceDir>; imports such as "@openzeppelin/..." resolve from <nodeModulesDir>. Exits non-zero with solc's formatted errors when compilation fails.
//
// Why a script of our own: the web3j Maven plugin downloads a native solc at build time, which a
// machine without internet (and CI) cannot do; solc from npm is a pinned, offline WebAssembly build.
'use strict';

const fs = require('fs');
const path = require('path');

function fail(message) {
  process.stderr.write(`compile.js: ${message}\n`);
  process.exit(1);
}

const [sourceDir, nodeModulesDir, outDir] = process.argv.slice(2);
if (!sourceDir || !nodeModulesDir || !outDir) {
  fail('usage: node compile.js <sourceDir> <nodeModulesDir> <outDir>');
}

let solc;
try {
  solc = require(path.join(path.resolve(nodeModulesDir), 'solc'));
} catch (e) {
  fail(`npm package solc not found under ${nodeModulesDir}: run 'npm install' in the repository root`);
}

const sources = {};
for (const file of fs.readdirSync(sourceDir).filter((f) => f.endsWith('.sol')).sort()) {
  sources[file] = { content: fs.readFileSync(path.join(sourceDir, file), 'utf8') };
}
if (Object.keys(sources).length === 0) {
  fail(`no .sol files in ${sourceDir}`);
}

// Skip the (slow, ~10 s in WebAssembly) compilation when every output is newer than every input.
const inputs = Object.keys(sources).map((f) => path.join(sourceDir, f));
inputs.push(__filename, path.join(path.resolve(nodeModulesDir), '.package-lock.json'));
const stampFile = path.join(outDir, '.compiled');
function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch (e) {
    return Infinity;
  }
}
if (fs.existsSync(stampFile) && inputs.every((f) => mtime(f) <= mtime(stampFile))) {
  process.stdout.write(`compile.js: contracts up to date in ${outDir}\n`);
  process.exit(0);
}

const modulesRoot = path.resolve(nodeModulesDir);
function findImports(importPath) {
  // Only package imports are resolved, and never outside node_modules.
  const resolved = path.resolve(modulesRoot, importPath);
  if (!resolved.startsWith(modulesRoot + path.sep)) {
    return { error: `import ${importPath} resolves outside ${modulesRoot}` };
  }
  try {
    return { contents: fs.readFileSync(resolved, 'utf8') };
  } catch (e) {
    return { error: `import ${importPath} not found under ${modulesRoot}: run 'npm install' in the repository root` };
  }
}

const input = {
  language: 'Solidity',
  sources,
  settings: {
    // cancun: what anvil and current public EVM chains accept; pinned so that a solc upgrade
    // does not silently emit opcodes an older chain rejects.
    evmVersion: 'cancun',
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
  },
};

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const problems = output.errors || [];
for (const p of problems) {
  process.stderr.write(p.formattedMessage || `${p.severity}: ${p.message}\n`);
}
if (problems.some((p) => p.severity === 'error')) {
  fail(`solc ${solc.version()} failed on ${sourceDir}`);
}

fs.mkdirSync(outDir, { recursive: true });
const written = [];
for (const file of Object.keys(sources)) {
  for (const [name, contract] of Object.entries(output.contracts[file] || {})) {
    const bin = contract.evm.bytecode.object;
    if (!bin) {
      continue; // an interface or abstract contract: nothing to deploy, no wrapper wanted
    }
    fs.writeFileSync(path.join(outDir, `${name}.bin`), bin);
    fs.writeFileSync(path.join(outDir, `${name}.abi`), JSON.stringify(contract.abi));
    // runtime code, for readers that an eth_call places at an address by state override
    fs.writeFileSync(path.join(outDir, `${name}.runtime.bin`), contract.evm.deployedBytecode.object);
    written.push(name);
  }
}
fs.writeFileSync(stampFile, `${solc.version()}\n`);
process.stdout.write(`compile.js: solc ${solc.version()} compiled ${written.join(', ')} into ${outDir}\n`);
