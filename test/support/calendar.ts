import ICAL from 'ical.js';

/**
 * The events of an iCalendar text as a calendar app reads them: ical.js, with the VTIMEZONE blocks
 * the file carries; local times in the event's zone and absolute times in UTC.
 */
export function readCalendar(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const vtimezone of calendar.getAllSubcomponents('vtimezone'))
    ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
  return calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      sequence: event.sequence,
      summary: event.summary,
      description: event.description,
      status: vevent.getFirstPropertyValue('status'),
      organizer: vevent.getFirstPropertyValue('organizer'),
      zone: event.startDate.zone?.tzid,
      localStart: event.startDate.toString(),
      localEnd: event.endDate.toString(),
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
    };
  });
}

/** The events of the .ics a mail the SES front holds carries (readCalendar), or an error naming the mail. */
export function calendarOfMail(mail: { subject?: string; attachments?: unknown }) {
  const attachments = (mail.attachments ?? []) as { filename: string; content: string }[];
  const ics = attachments.find((attachment) => attachment.filename.endsWith('.ics'));
  if (!ics) throw new Error(`no .ics on "${mail.subject}"`);
  return readCalendar(Buffer.from(ics.content, 'base64').toString('utf8'));
}
