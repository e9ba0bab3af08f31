import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryError } from '@inventory/core';
import { describe, expect, it } from 'vitest';
import { fetchJars } from './maven.ts';

/** A pom of one dependency that Maven Central does not hold, with the plugin the stack's poms pin. */
const pomOfAbsentJar = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>retail.inventory.stack</groupId>
  <artifactId>stack-absent</artifactId>
  <version>1.0.0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>retail.inventory.absent</groupId>
      <artifactId>no-such-jar</artifactId>
      <version>0.0.1</version>
    </dependency>
  </dependencies>
  <build>
    <directory>\${stack.build.directory}</directory>
    <pluginManagement>
      <plugins>
        <plugin>
          <groupId>org.apache.maven.plugins</groupId>
          <artifactId>maven-dependency-plugin</artifactId>
          <version>3.9.0</version>
        </plugin>
      </plugins>
    </pluginManagement>
  </build>
</project>
`;

describe("fetching a part's jars with Maven", () => {
  it('asks again after a failed download, then fails naming the jars, the attempts and what Maven said', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-maven-'));
    const pom = join(dir, 'pom.xml');
    writeFileSync(pom, pomOfAbsentJar);
    const said: string[] = [];
    let failure: unknown;
    try {
      fetchJars({
        name: 'absent',
        pom,
        target: join(dir, 'lib'),
        goals: ['dependency:copy-dependencies', '-DincludeScope=runtime'],
        build: join(dir, 'build'),
        say: (line) => said.push(line),
        retries: { delaysMs: [10], jitter: 0 },
      });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(InventoryError);
    expect((failure as InventoryError).code).toBe('STACK_FETCH_FAILED');
    expect((failure as Error).message).toMatch(/^mvn could not fetch the absent jars \(2 attempts\):\n/);
    expect((failure as Error).message).toContain('retail.inventory.absent:no-such-jar');
    expect(
      said.filter((l) => l.startsWith('mvn could not fetch the absent jars; trying again in 10 ms')),
    ).toHaveLength(1);
    // No marker: the next `up` tries again instead of taking an empty folder for a complete one.
    expect(existsSync(join(dir, 'lib', '.complete'))).toBe(false);
  }, 120_000);
});
