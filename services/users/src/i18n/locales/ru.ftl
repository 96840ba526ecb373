# Russian texts of the users service's bot screens (the admin menu). Keys are shared with en.ftl (a spec checks
# that both have the same keys). Moved from the gateway with the menu: the texts are unchanged.

## Commands as the bot's menu and /help show them
command-admin = меню администратора

## Roles of a member card
role-user = пользователь
role-admin = администратор
role-owner = владелец
role-admin-pending = пользователь (предложен в администраторы)
admin-no-username = не задано

## Refusals of the users service, in the reader's language
admin-refused-not-an-admin = Это могут делать только администраторы бота.
admin-refused-owner-only = Это может делать только владелец бота.
admin-refused-cannot-block = Этого участника нельзя заблокировать: владельца не блокируют никогда, администратора может заблокировать только владелец, себя заблокировать нельзя.
admin-refused-not-a-member = Этот пользователь не участник бота.
admin-refused-invalid-setting = Это значение не подходит для этого флага или настройки.
admin-refused-invalid = Что-то не так с отправленными данными. Проверьте и попробуйте снова.

## Admin menu
admin-menu-title = Меню администратора. Что сделать?
admin-button-counts = Статистика
admin-button-find = Найти пользователя
admin-button-flags = Флаги функций
admin-button-setting = Изменить настройку
admin-button-audit = Журнал действий
admin-button-back = « Назад
admin-button-more = Ещё »
admin-counts =
    Участников: { $members }
    Активны сегодня: { $activeToday }
    Заблокировали бота: { $blockedTheBot }
    Заблокированы администратором: { $blockedByAdmin }
    Администраторов: { $admins }
admin-find-prompt = Отправьте @имя пользователя, его id в Telegram или часть имени.
admin-find-none = Никого не найдено по запросу «{ $query }».
admin-find-results = Найдено: { $count }. Выберите:
admin-member-gone = Этот пользователь не участник бота.
admin-member-card =
    { $name } ({ $username }, id { $id })
    Роль: { $role }
    Статус: { $status }
admin-status-active = активен
admin-status-blocked-by-admin = заблокирован администратором ({ $reason })
admin-status-bot-blocked = заблокировал бота
admin-button-block = Заблокировать
admin-button-unblock = Разблокировать
admin-button-propose-admin = Предложить в администраторы
admin-button-approve-admin = Сделать администратором
admin-button-revoke-admin = Снять администратора
admin-block-prompt = За что вы блокируете { $name }? Отправьте причину.
admin-blocked = { $name } заблокирован(а). Причина: { $reason }
admin-unblocked = { $name } разблокирован(а).
admin-admin-proposed = { $name } предложен(а) в администраторы; решает владелец.
admin-admin-approved = { $name } теперь администратор.
admin-admin-revoked = { $name } больше не администратор.
admin-unchanged = Менять нечего: { $name } уже в этом состоянии.
admin-flags-title = Флаги функций (нажмите, чтобы переключить):
admin-flags-none = У бота пока нет флагов. Отправьте имя флага, чтобы создать его включённым.
admin-flag-prompt = Отправьте имя флага (строчные буквы, можно с точками), чтобы включить его.
admin-flag-changed = Флаг { $flag } теперь { $state }.
admin-flag-on = включён
admin-flag-off = выключен
admin-setting-prompt = Отправьте настройку как ключ=значение, значение в JSON, например timezone="Europe/Moscow" или quota.daily.user=20.
admin-setting-invalid = Отправьте ключ=значение со значением в JSON, например quota.daily.user=20.
admin-setting-changed = Настройка { $key } теперь { $value }.
admin-audit-title = Журнал действий, сначала новые:
admin-audit-empty = Журнал пуст.
admin-audit-entry = { $when } { $admin }: { $action } { $target }
admin-audit-expired = Список устарел. Откройте журнал снова.
admin-not-admin = Это меню только для администраторов бота.
admin-button-new-flag = Новый флаг

## /profile
language-name-en = English
language-name-ru = Русский
language-telegram-default = Как в Telegram
profile-text =
    Ваш профиль
    Имя: { $name }
    Имя пользователя: { $username }
    Роль: { $role }
    Язык: { $language }
    Участник с: { $joined }
profile-no-username = не задано
profile-unknown = неизвестно

