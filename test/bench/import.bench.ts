import { startCloudProcess } from '#test/support/cloud-process.ts';

/** CSV import of the media list: rows per second through the local gateway and DynamoDB Local. */
const cloud = await startCloudProcess();
try {
  for (const rows of [500, 2000]) {
    const csv = [
      'name,email,kind,genres,territories,contactName',
      ...Array.from(
        { length: rows },
        (_, i) => `Outlet ${i},outlet${i}-${rows}@import.example,radio,pop;rock,GB;DE,Contact ${i}`,
      ),
    ].join('\n');
    const started = performance.now();
    const response = await fetch(`${cloud.urls.http}/media-outlets/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cloud.apiKey}`, 'content-type': 'text/csv' },
      body: csv,
    });
    const result = (await response.json()) as { created: number; updated: number; rejected: unknown[] };
    const ms = performance.now() - started;
    console.log(
      `import ${rows} rows: HTTP ${response.status}, created ${result.created}, rejected ${result.rejected.length}, ${ms.toFixed(0)} ms (${Math.round((rows * 1000) / ms)} rows/s)`,
    );
  }
} finally {
  await cloud.stop();
}
