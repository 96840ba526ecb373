import type { InlineProjection } from '@botplatform/event-store';
import { auditProjection } from '../audit/audit.projection.js';
import { membersProjection } from './members.projection.js';

/**
 * What the identity and membership commands project, in the transaction of their append: the members'
 * read model, and the audit log of admin actions on members. (The bots' read model keeps no member event.)
 */
export const memberProjections: readonly InlineProjection[] = [membersProjection, auditProjection];
