import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';

/** One-time EventBridge Scheduler schedules, created, moved and deleted the one way (docs/design.md#schedules). */

const isNamed = (error: unknown, type: { name: string }, name: string) =>
  error instanceof (type as unknown as new () => Error) || (error as Error)?.name === name;

/**
 * Create; on ConflictException it exists: update it (moving it is an update). An update can find it
 * gone (it fired and deleted itself meanwhile): then create again. Bounded, in case of a race with a delete.
 */
export async function upsertSchedule(
  client: SchedulerClient,
  input: CreateScheduleCommandInput,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new CreateScheduleCommand(input));
      return;
    } catch (error) {
      if (!isNamed(error, ConflictException, 'ConflictException')) throw error;
    }
    try {
      await client.send(new UpdateScheduleCommand(input));
      return;
    } catch (error) {
      if (!isNamed(error, ResourceNotFoundException, 'ResourceNotFoundException') || attempt >= 3)
        throw error;
    }
  }
}

/** Deletes a schedule; one that is not there (fired, never made) is fine. */
export async function deleteSchedule(
  client: SchedulerClient,
  name: string,
  groupName: string,
): Promise<void> {
  try {
    await client.send(new DeleteScheduleCommand({ Name: name, GroupName: groupName }));
  } catch (error) {
    if (!isNamed(error, ResourceNotFoundException, 'ResourceNotFoundException')) throw error;
  }
}
