import type {
  BadgeDefinitionJson,
  BadgeNameJson,
  ConfigureLevelsRequestJson,
  DefineBadgeRequestJson,
  LevelThresholdJson,
  ListBadgesRequestJson,
  SetTimeZoneRequestJson,
} from '@botplatform/contracts';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';

/** An int64 of the contract as JSON (a decimal string), within JavaScript's exact integers. */
const XP = /^(0|[1-9][0-9]{0,14})$/;

class LevelThresholdDto implements LevelThresholdJson {
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  level: number;

  @Matches(XP, { message: 'minXp must be a whole number of XP' })
  minXp: string;
}

/** `rpc.gamification.configure-levels`: the shape here, the order (level 1 at 0, strictly increasing) in the decider. */
export class ConfigureLevelsDto implements ConfigureLevelsRequestJson {
  @IsUUID()
  botId: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => LevelThresholdDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  levels: LevelThresholdDto[];
}

/** `rpc.gamification.set-time-zone`: an IANA name (the decider checks it is one). */
export class SetTimeZoneDto implements SetTimeZoneRequestJson {
  @IsUUID()
  botId: string;

  @IsString()
  @Length(1, 64)
  timeZone: string;
}

class BadgeNameDto implements BadgeNameJson {
  @Matches(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, { message: 'language must be a language code such as en or pt-BR' })
  language: string;

  @IsString()
  @Length(1, 64)
  name: string;
}

class BadgeDefinitionDto implements BadgeDefinitionJson {
  @Matches(/^[a-z0-9][a-z0-9_-]{0,47}$/, { message: 'key must be 1-48 lower-case letters, digits, _ or -' })
  key: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => BadgeNameDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  names: BadgeNameDto[];

  @IsString()
  @Length(1, 16)
  icon: string;
}

/** `rpc.gamification.define-badge`. */
export class DefineBadgeDto implements DefineBadgeRequestJson {
  @IsUUID()
  botId: string;

  @ValidateNested()
  @Type(() => BadgeDefinitionDto)
  badge: BadgeDefinitionDto;
}

/** `rpc.gamification.list-badges`. */
export class ListBadgesDto implements ListBadgesRequestJson {
  @IsUUID()
  botId: string;
}
