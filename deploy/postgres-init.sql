-- One database per service: no service can read another's tables.
CREATE DATABASE users;
CREATE DATABASE notifications;
CREATE DATABASE gateway;
CREATE DATABASE subscriptions;
CREATE DATABASE gamification;
CREATE DATABASE payments;
