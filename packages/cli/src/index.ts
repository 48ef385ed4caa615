#!/usr/bin/env node
import { CommanderError } from 'commander';
import { createProgram } from './program.js';

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  // Commander has already printed usage errors and help; only its exit code matters here.
  if (error instanceof CommanderError) process.exitCode = error.exitCode;
  else throw error;
}
