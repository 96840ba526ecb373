import { MikroORM } from '@mikro-orm/postgresql';
import type { Provider } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { Clock, SystemClock } from './clock.js';
import { MemberDirectory } from './member-directory.js';

/** The members slice's providers: the clock (tests override it), the member directory and the audit log. */
export const membersProviders: Provider[] = [
  { provide: Clock, useClass: SystemClock },
  { provide: MemberDirectory, inject: [MikroORM], useFactory: (orm: MikroORM) => new MemberDirectory(orm.em) },
  { provide: AuditLog, inject: [MikroORM], useFactory: (orm: MikroORM) => new AuditLog(orm.em) },
];
