# Russian texts of the subscriptions service's bot screens (/plans, /subscription, /subadmin). Keys are shared
# with en.ftl (a spec checks that both have the same keys). Prices, dates and Telegram ids come formatted.

## Commands as the bot's menu and /help show them
command-plans = тарифы и цены
command-subscription = ваша подписка
command-subadmin = подписки участников (для администраторов)

## Shared
button-back = « Назад
days =
    { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[many] { $days } дней
    }
credits =
    { $credits ->
        [one] { $credits } кредит
        [few] { $credits } кредита
       *[many] { $credits } кредитов
    }

## Refusals, in the reader's language
refused-not-an-admin = Это могут делать только администраторы бота.
refused-trial-taken = Вы уже брали пробный период этого бота: он даётся один раз.
refused-already-subscribed = У вас уже действует подписка, пробный период сейчас не нужен.
refused-no-trial = Сейчас этот бот не предлагает пробный период.
refused-trial-not-free = Этот пробный период платный: выберите его среди тарифов.
refused-not-subscribed = Нет действующей подписки, которую можно изменить.
refused-plan-gone = Этот тариф больше недоступен.
refused-out-of-range = Это больше, чем может вместить подписка.
refused-invalid = Что-то не так. Проверьте и попробуйте снова.

## /plans
plans-title = Выберите тариф:
plans-none = Тарифов в продаже пока нет.
plans-button = { $name } · { $price }
plans-trial-button = 🎁 Бесплатный пробный период: { days }
plan-gives-period = Доступ на { days }
plan-gives-credits = Пакет: { credits }
plan-price = Цена: { $price }
plan-button-buy = Купить
plan-button-card = Перевод на карту
plan-button-wallet = Оплатить из кошелька
plan-button-telegram-fiat = Оплатить картой (Telegram)
plan-button-crypto-pay = Оплатить криптовалютой
plan-provider-gone = Этот способ оплаты для тарифа больше недоступен. Деньги не списаны.
plan-crypto-pay = { $name }: оплата криптовалютой на странице Crypto Pay. Тариф начнёт действовать, как только придёт оплата.
plan-crypto-pay-button = Оплатить криптовалютой
plan-wallet-insufficient = На балансе кошелька не хватает на этот тариф. Ничего не списано.
plan-wallet-paid-period = Оплачено { $price } из кошелька. { $name } ваш до { $end }.
plan-wallet-paid-credits = Оплачено { $price } из кошелька. { $name }: теперь у вас { $credits } кредитов.
plan-buy-unavailable = Оплата сейчас недоступна. Деньги не списаны. Попробуйте ещё раз через минуту.
plan-subscription-invoice = { $name }: подписка за звёзды, продлевается каждые 30 дней, пока вы её не отмените (в /subscription или в Telegram).
plan-subscription-button = Подписаться
trial-started = Пробный период «{ $name }» действует до { $end }.

## /subscription
status-none = У вас нет подписки.
status-plan = Тариф: { $name }
status-trial = Пробный период: { $name }
status-until = Действует до { $end }
status-ended = Ваша подписка закончилась { $end }.
status-credits = Осталось кредитов: { $credits }
status-renewal-on = Продление: включено
status-renewal-off = Продление: выключено (подписка действует до конца срока)
status-renewal-wallet = Продление: включено, с вашего кошелька. Следующая попытка: { $next }
status-renewal-wallet-failed = Последняя попытка продления не удалась: { $reason }
status-renewal-wallet-over = Продлить с кошелька не удалось ({ $reason }): подписка закончится { $end }. Купить её снова можно в /plans.
renewal-reason-insufficient_balance = на кошельке недостаточно средств (пополните его в /balance)
renewal-reason-payments_unavailable = платёжный сервис недоступен
renewal-reason-plan_unavailable = тариф больше не продаётся
button-renewal-off = Выключить продление
button-renewal-on = Включить продление
button-see-plans = Посмотреть тарифы
renewal-turned-off = Продление выключено.
renewal-turned-on = Продление включено.
renewal-canceled-in-telegram = Вы отменили эту подписку за звёзды в Telegram; включить её снова можно только там (Настройки → Мои звёзды).
renewal-switch-unavailable = Не удалось переключить продление. Ничего не изменилось. Попробуйте ещё раз через минуту.

## /subadmin
subadmin-title = Подписки участников. Что сделать?
subadmin-button-plans = Тарифы
subadmin-button-find = Найти участника
subadmin-plans-title = Тарифы бота:
subadmin-plans-none = У бота пока нет тарифов: они создаются через API администратора.
subadmin-plan-line = • { $name }: { $gives }, { $price } ({ $state })
subadmin-plan-free = бесплатно
subadmin-plan-on-sale = в продаже
subadmin-plan-hidden = не в продаже
subadmin-plan-trial = пробный
subadmin-find-prompt = Отправьте id участника в Telegram (только цифры).
subadmin-find-invalid = Это не id в Telegram. Отправьте только цифры, например 123456789.
subadmin-member-title = Участник { $id }
subadmin-member-none = Ни подписки, ни кредитов.
subadmin-choose-member = Сначала выберите участника («Найти участника»).
subadmin-button-grant = Выдать тариф
subadmin-button-extend = Продлить
subadmin-button-credits = Добавить кредиты
subadmin-button-revoke = Отозвать
subadmin-button-member = « Участник { $id }
subadmin-grant-choose = Какой тариф выдать участнику { $id }?
subadmin-grant-none = У бота нет тарифов, которые можно выдать.
subadmin-grant-prompt = Почему вы выдаёте «{ $plan }» участнику { $id }? Отправьте причину.
subadmin-granted = «{ $plan }» выдан участнику { $id }. Причина: { $reason }
subadmin-extend-prompt = На сколько дней продлить подписку участника { $id }? Отправьте число от 1 до { $max }.
subadmin-extended = Подписка участника { $id } продлена на { days }, до { $end }.
subadmin-nothing-to-extend = У участника { $id } нет действующей подписки: выдайте тариф.
subadmin-credits-choose = Из какого пакета добавить кредиты участнику { $id }?
subadmin-credits-none = У бота нет пакетов кредитов.
subadmin-credits-prompt = Сколько кредитов «{ $plan }» добавить участнику { $id }? Отправьте число от 1 до { $max }.
subadmin-credits-added = Участнику { $id } добавлено: { credits }. Теперь кредитов: { $balance }.
subadmin-revoke-prompt = Почему вы отзываете подписку участника { $id }? Отправьте причину.
subadmin-revoked = Подписка участника { $id } отозвана. Причина: { $reason }
subadmin-nothing-to-revoke = У участника { $id } нет ни действующей подписки, ни кредитов.
subadmin-trial-taken = Этот участник уже брал пробный период: он даётся один раз.
subadmin-number-invalid = Отправьте целое число от 1 до { $max }.
subadmin-reason-invalid = Отправьте причину длиной от 1 до 500 символов.
