# Русские тексты экрана /notifications сервиса уведомлений. Ключи те же, что в en.ftl.

command-notifications = выбрать, какие сообщения присылает бот

notifications-title = 🔔 Уведомления этого бота. Нажмите на вид, чтобы включить или выключить его.
notifications-always = Чеки об оплате приходят всегда.
notifications-on = 🔔 { $category }: вкл.
notifications-off = 🔕 { $category }: выкл.
notifications-muted = { $category }: выключено
notifications-unmuted = { $category }: включено

category-welcome = Приветствие
category-achievements = Уровни и значки
category-subscription = Новости подписки
category-payments = Чеки об оплате

# Оповещения админов (в чат или тему админов бота), на языке бота по умолчанию.
alert-payment-completed = 💰 Новый платёж: { $amount } { $currency } от { $member } (тариф { $plan }).
alert-payment-refunded = ↩️ Возврат: { $amount } { $currency } для { $member } (тариф { $plan }), выполнил { $refunded_by }. Причина: { $reason }
alert-campaign-member = 👋 Новый участник { $member } пришёл из кампании «{ $campaign }».

# Рассылки (broadcast/)
broadcast-report =
    { $cancelledNote ->
        [yes] 📣 Рассылка отменена.
       *[no] 📣 Рассылка завершена.
    }
    Отправлено: { $sent }
    Ошибки: { $failed }
    Заблокировали бота: { $blocked }
    Пропущено (заблокировали раньше): { $skipped }
    Не отправлено (отмена): { $cancelled }
command-broadcast = разослать сообщение участникам бота
broadcast-not-admin = Рассылки доступны только администраторам бота.
broadcast-ask-text = 📣 Пришлите текст рассылки (можно с HTML-разметкой) или фото с текстом в подписи. Кнопки-ссылки — последними строками, по одной в строке: Название | https://example.org. После отправки покажу, как его увидят участники.
broadcast-choose-audience = Кому отправить?
broadcast-audience-all = Всем
broadcast-audience-premium = Премиум
broadcast-audience-free = Бесплатным
broadcast-audience-trial = На пробном периоде
broadcast-audience-inactive = Неактивным 30 дней
broadcast-audience-new = Новым за неделю
broadcast-audience-en = Английский
broadcast-audience-ru = Русский
broadcast-preview =
    Аудитория: { $audience }
    Получат: { $reach } { $reach ->
        [one] участник
        [few] участника
       *[other] участников
    } ({ $skipped } пропущено: заблокировали бота), примерно за { $minutes } мин.
broadcast-paid-cost = Платная рассылка: { $stars } ⭐ (0,1 звезды за сообщение).
broadcast-button-confirm = ✅ Отправить
broadcast-button-cancel = ✖ Отменить
broadcast-button-pause = ⏸ Пауза
broadcast-button-resume = ▶ Продолжить
broadcast-button-refresh = 🔄 Обновить
broadcast-discarded = Рассылка удалена.
broadcast-progress =
    📣 Рассылка: { $status }
    Отправлено: { $sent }, ошибки: { $failed }, заблокировали бота: { $blocked }, пропущено: { $skipped }
    Осталось: { $remaining }, ещё примерно { $eta }
broadcast-status-draft = черновик
broadcast-status-sending = отправляется
broadcast-status-paused = на паузе
broadcast-status-cancelled = отменена
broadcast-status-finished = завершена
broadcast-error-invalid = Такую рассылку отправить нельзя (пустой или слишком длинный текст).
broadcast-error-not-found = Этой рассылки больше нет.
broadcast-error-already-confirmed = Эта рассылка уже отправляется.
broadcast-error-no-audience = Сначала выберите аудиторию.
broadcast-error-empty-audience = В этой аудитории некому отправить.
broadcast-error-not-running = Эта рассылка не идёт.
broadcast-error-over = Эта рассылка завершена.
broadcast-error-forbidden = Рассылки доступны только администраторам бота.

# /notifadmin: правила и тексты уведомлений бота (rules/rules-admin.feature.ts)
command-notifadmin = правила уведомлений и их тексты
notifadmin-not-admin = Правила уведомлений доступны только администраторам бота.
notifadmin-title = 🛠 Правила уведомлений. Нажмите на правило, чтобы увидеть и изменить его текст, или на переключатель, чтобы включить или выключить его.
notifadmin-on = ✅ вкл.
notifadmin-off = ⛔ выкл.
notifadmin-switched-on = { $rule }: включено
notifadmin-switched-off = { $rule }: выключено
notifadmin-state-on = включено
notifadmin-state-off = выключено
notifadmin-origin-own = собственный текст бота
notifadmin-origin-default = текст платформы по умолчанию
notifadmin-card =
    { $rule } ({ $state })
    Переменные: { $variables }
    Текст на «{ $language }», { $origin }:
notifadmin-button-edit = ✏️ Изменить
notifadmin-button-switch-on = ✅ Включить
notifadmin-button-switch-off = ⛔ Выключить
notifadmin-button-reset = ↩️ Сбросить к тексту по умолчанию
notifadmin-button-back = ⬅️ Правила
notifadmin-edit-prompt = Отправьте новый текст правила «{ $rule }» на «{ $language }». Переменные: { $variables } (пишите их так: {"{"} $name {"}"}).
notifadmin-saved = ✅ Сохранено: «{ $rule }» на «{ $language }» использует новый текст начиная со следующего сообщения.
notifadmin-invalid =
    ❌ Этот текст нельзя использовать, ничего не сохранено:
    { $problems }
notifadmin-template-text-only = Отправьте шаблон текстовым сообщением.
notifadmin-reset-done = Возвращён текст по умолчанию.
rule-welcome = Приветствие
rule-level-reached = Новый уровень
rule-badge-awarded = Новый значок
rule-subscription-started = Подписка оформлена
rule-subscription-expired = Подписка закончилась
rule-subscription-ending = Подписка заканчивается
rule-trial-ending = Пробный период заканчивается
rule-renewal-failed = Продление не удалось
rule-payment-completed = Платёж получен
rule-payment-refunded = Платёж возвращён
rule-receipt-approved = Чек подтверждён
rule-receipt-rejected = Чек отклонён
