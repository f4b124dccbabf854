import { startCloudProcess } from '#test/support/cloud-process.ts';

/**
 * CSV import of the media list as a job: how soon the request is answered (202) and rows per second
 * until `GET /jobs/{jobId}` reports it done, through the local gateway, bus and DynamoDB Local.
 * `BENCH_IMPORT_ROWS=2000,10000` picks the sizes.
 */
const cloud = await startCloudProcess();
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${cloud.urls.http}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${cloud.apiKey}`, ...(init.headers as Record<string, string>) },
  });
try {
  for (const rows of (process.env.BENCH_IMPORT_ROWS ?? '500,2000,10000').split(',').map(Number)) {
    const csv = [
      'name,email,kind,genres,territories,contactName',
      ...Array.from(
        { length: rows },
        (_, i) =>
          `Outlet ${i},outlet${i}-${rows}-${Date.now()}@import.example,radio,pop;rock,GB;DE,Contact ${i}`,
      ),
    ].join('\n');
    const started = performance.now();
    const response = await api('/media-outlets/import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    const { jobId } = (await response.json()) as { jobId: string };
    const answeredMs = performance.now() - started;
    let job: { status: string; result: { created: number; rejectedCount: number } };
    do {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = (await (await api(`/jobs/${jobId}`)).json()) as typeof job;
    } while (job.status === 'queued' || job.status === 'running');
    const ms = performance.now() - started;
    console.log(
      `import ${rows} rows (${(Buffer.byteLength(csv) / 1024).toFixed(0)} KB): HTTP ${response.status} in ${answeredMs.toFixed(0)} ms, job ${job.status}, created ${job.result.created}, rejected ${job.result.rejectedCount}, ${ms.toFixed(0)} ms (${Math.round((rows * 1000) / ms)} rows/s)`,
    );
  }
} finally {
  await cloud.stop();
}
